"""Stage orchestration."""
