"""The one set of test doubles (issue 11): a fake clock (:mod:`.clock`), one in-process fake per Discord port
(:mod:`.ports`, each checked against its service's Protocol by ``test_helpers_match_protocols.py``) and the
fake-Discord self-test bot (:mod:`.bots`). The bot-process launcher for end-to-end tests is
``tests/e2e/harness.py``."""
