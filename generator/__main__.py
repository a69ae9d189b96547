"""``python -m mlportfolio``: the same command line as ``mlportfolio``."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="mlportfolio")
