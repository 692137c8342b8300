from care.tests.conftest import lixiu_a, media_root, today, volunteer_a  # noqa: F401  (shared fixtures)
