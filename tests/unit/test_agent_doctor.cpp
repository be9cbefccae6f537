// agent/doctor.cpp: the import names the packages check asks the template's interpreter for.
// (The checks themselves run in tests/overnight/test_doctor.sh against this machine.)
#include <doctest/doctest.h>

#include "agent/doctor.hpp"

using shoal::agent::imported_modules;

TEST_CASE("imported_modules reads import and from-import lines, top-level names only") {
  std::string source =
      "import argparse, json as j\n"
      "import numpy.linalg as la  # a comment\n"
      "from torch import nn\n"
      "from matplotlib.pyplot import plot\n"
      "def f():\n"
      "    import scipy.stats\n";
  CHECK(imported_modules(source) ==
        std::vector<std::string>{"argparse", "json", "matplotlib", "numpy", "scipy", "torch"});
}

TEST_CASE("imported_modules leaves out relative imports, __future__, the template's own modules and prose") {
  std::string source =
      "from __future__ import annotations\n"
      "from . import helpers\n"
      "from .models import Net\n"
      "import utils\n"
      "# import notthis\n"
      "print('importance')\n"
      "important = 1\n"
      "import pandas\n";
  CHECK(imported_modules(source, {"utils"}) == std::vector<std::string>{"pandas"});
  CHECK(imported_modules("").empty());
}
