from socialbysocial.text import csv_cell, one_line, printable


def test_one_line_never_lets_text_start_a_new_header_or_calendar_line():
    assert one_line("Title\r\nBcc: x@y.org") == "Title Bcc: x@y.org"
    assert one_line("a\rEND:VCALENDAR\nb") == "a END:VCALENDAR b"
    assert one_line("tab\tkept") == "tab\tkept"


def test_printable_drops_characters_xml_cannot_hold():
    assert printable("a\x01b\x0cc\r\nd") == "abc\nd"


def test_csv_cells_never_start_a_formula():
    assert csv_cell('=HYPERLINK("javascript:alert(1)")') == '\'=HYPERLINK("javascript:alert(1)")'
    assert csv_cell("+1") == "'+1" and csv_cell("@x") == "'@x" and csv_cell("-1") == "'-1"
    assert csv_cell("Plain") == "Plain" and csv_cell(3) == "3"
