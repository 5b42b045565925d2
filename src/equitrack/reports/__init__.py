"""Reports for scrutiny committees, WRES returns and systems, written from measure results.

The parts (narrative sentences, a data-quality summary, a methods appendix) are pure modules
over results and the store, so that what a report says can be tested without rendering it.
"""
