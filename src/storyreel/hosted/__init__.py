"""Hosted generation APIs as stills and motion backends (extra `hosted`).

`common` holds what every vendor shares (keys, retries, the job ledger, polling, downloads);
each vendor is one small module. SDKs are imported when a request is made, so the registry can
list these backends, and say what they need, without the extra installed.
"""
