"""`python -m autograder ...`: the instructor's pipeline (see autograder/cli.py)."""
import sys

from .cli import main

sys.exit(main())
