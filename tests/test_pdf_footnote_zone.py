"""The footnote zone below a separator rule holds only type smaller than the page's body text."""
from pipeline.ingest.pdf import _footnote_zone, _Line


def _line(text, top, size):
    return _Line(text, text, top, top + size, 57.0, 500.0, size, False)


def test_a_rule_with_body_size_lines_below_is_no_footnote_separator():
    body = [_line("本文の行です。" * 5, 100 + 16 * i, 10.5) for i in range(6)]
    assert _footnote_zone(body + [_line("1 注記", 760, 8.0)], 750.0) == 750.0
    # a heading below the rule (set at body size or larger): the rule underlines text
    assert _footnote_zone(body + [_line("(2) これまでの取組", 760, 10.5)], 750.0) is None
    assert _footnote_zone(body, None) is None
