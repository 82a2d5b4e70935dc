"""`python -m autograder ...`: the instructor's pipeline (see autograder/cli.py)."""
import sys

from .pipeline.cli import main

sys.exit(main())
