print("no plots for the tiny template")
