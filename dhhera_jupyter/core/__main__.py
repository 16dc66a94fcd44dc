import sys

from dhhera_jupyter.core.daemon import main

sys.exit(main())
