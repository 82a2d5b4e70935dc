"""`python -m autograder ...`: the instructor's pipeline (autograder/pipeline/cli.py) and the student's commands."""
import sys

from .pipeline.cli import main

sys.exit(main())
