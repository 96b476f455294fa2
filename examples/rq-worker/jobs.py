"""Jobs the RQ worker runs: it imports this module by name."""


def count_words(text):
    return len(text.split())
