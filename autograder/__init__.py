"""autograder: the checks that the notebooks' test cells call, and the instructor's grading pipeline."""
