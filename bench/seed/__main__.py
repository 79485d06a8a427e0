"""``python -m bench.seed``, from the repository root, with the settings of the database to seed."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbapp.settings")

import django  # noqa: E402

django.setup()

from bench.seed.command import main  # noqa: E402

sys.exit(main())
