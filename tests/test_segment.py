"""Sentence splitting per language, on sentences taken from the bundled texts and their hard cases."""

from __future__ import annotations

import pytest

from aligner.errors import AlignerError
from aligner.segment import check_lang, sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("en", "The plenum heard the report.", "It adopted a resolution."),
        ("ru", "Пленум заслушал доклад.", "Он принял резолюцию."),
        ("de", "Das Plenum hörte den Bericht.", "Es nahm eine Resolution an."),
        ("fr", "Le plénum a entendu le rapport.", "Il a adopté une résolution."),
        ("zh", "全会听取了报告。", "全会通过了决议。"),
    ],
)
def test_every_language_the_issue_asks_for_splits_its_sentences(lang: str, first: str, second: str) -> None:
    assert check_lang(lang) == lang
    assert split_sentences(f"{first} {second}", lang) == [first, second]


def test_abbreviations_and_initials_do_not_end_english_sentences() -> None:
    text = (
        "The Central Committee of the C.P.S.U. in its closed letter of January 18, 1935, gave a warning. "
        "This was said by J. V. Stalin to the Plenum. "
        "He adopted both slogans simultaneously, i.e., the first slogan and the second. "
        "The U.S.S.R. has conquered one-sixth of the world."
    )
    assert split_sentences(text, "en") == [
        "The Central Committee of the C.P.S.U. in its closed letter of January 18, 1935, gave a warning.",
        "This was said by J. V. Stalin to the Plenum.",
        "He adopted both slogans simultaneously, i.e., the first slogan and the second.",
        "The U.S.S.R. has conquered one-sixth of the world.",
    ]


def test_a_spaced_ellipsis_ends_the_sentence_it_belongs_to() -> None:
    text = "They don't sleep themselves, and don't let other people sleep. . . . It is high time."
    assert split_sentences(text, "en") == [
        "They don't sleep themselves, and don't let other people sleep. . . .",
        "It is high time.",
    ]


def test_a_quotation_stays_whole_and_its_closing_quote_stays_with_it() -> None:
    text = 'It says in the closed letter: "We must remember this and be vigilant." So signals were given.'
    assert split_sentences(text, "en") == [
        'It says in the closed letter: "We must remember this and be vigilant."',
        "So signals were given.",
    ]


def test_russian_abbreviations_party_names_and_ellipsis() -> None:
    text = (
        "Пленум ЦК ВКП(б) заслушал доклад т. Сталина. "
        "Это значит, т. е. по существу, правильно. "
        "Это неверно, товарищи… Такую теорию могли выдумать только наивные люди. "
        "«Надо быть бдительными!» — сказал он."
    )
    assert split_sentences(text, "ru") == [
        "Пленум ЦК ВКП(б) заслушал доклад т. Сталина.",
        "Это значит, т. е. по существу, правильно.",
        "Это неверно, товарищи…",
        "Такую теорию могли выдумать только наивные люди.",
        "«Надо быть бдительными!» — сказал он.",
    ]


def test_german_french_and_chinese() -> None:
    assert split_sentences("Das ist z.B. ein Satz. Dr. Hagen kam im Herbst.", "de") == [
        "Das ist z.B. ein Satz.",
        "Dr. Hagen kam im Herbst.",
    ]
    assert split_sentences("Die Erstersteigung gelang am 18. Mai 1956. Sie war ein Erfolg.", "de") == [
        "Die Erstersteigung gelang am 18. Mai 1956.",
        "Sie war ein Erfolg.",
    ]
    assert split_sentences("M. Dupont est arrivé hier. Il pleut sur Genève.", "fr") == [
        "M. Dupont est arrivé hier.",
        "Il pleut sur Genève.",
    ]
    assert split_sentences("我们必须警惕。敌人是狡猾的！你知道吗？", "zh") == [
        "我们必须警惕。",
        "敌人是狡猾的！",
        "你知道吗？",
    ]


def test_spans_point_into_the_text_they_came_from() -> None:
    text = "  No, this cannot be stated.   This is shown by the wrecking acts.  "
    spans = sentence_spans(text, "en")
    assert [text[start:end] for start, end in spans] == [
        "No, this cannot be stated.",
        "This is shown by the wrecking acts.",
    ]


def test_language_codes_are_normalised_and_unknown_ones_refused() -> None:
    assert check_lang("EN") == "en"
    assert check_lang("de-CH") == "de"
    with pytest.raises(AlignerError, match="unknown language code 'xx'"):
        split_sentences("Some text.", "xx")


# --- full-width punctuation: one rule set for the script, whatever the language ------------------------


def test_chinese_closing_quotes_stay_with_their_sentence() -> None:
    assert split_sentences("他说：“你好。”她说：“再见！”他走了。", "zh") == [
        "他说：“你好。”",
        "她说：“再见！”",
        "他走了。",
    ]


def test_a_run_of_full_width_ends_and_an_ellipsis_end_one_sentence() -> None:
    assert split_sentences("他问：“真的吗！？”她笑了……天黑了。", "zh") == [
        "他问：“真的吗！？”",
        "她笑了……",
        "天黑了。",
    ]


def test_japanese_splits_after_a_closing_corner_bracket() -> None:
    text = (
        "「吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。記憶している。」"
        "吾輩はここで始めて人間というものを見た。"
    )
    assert split_sentences(text, "ja") == [
        "「吾輩は猫である。",
        "名前はまだ無い。",
        "どこで生れたかとんと見当がつかぬ。",
        "記憶している。」",
        "吾輩はここで始めて人間というものを見た。",
    ]


def test_a_quotation_of_several_sentences_is_split_inside_corner_brackets_as_inside_chinese_quotes() -> None:
    # A letter quoted in a Japanese translation of the 1937 report: pysbd kept 「…。…。」 as one sentence
    # (seven in the Russian), while Chinese “…。…。” was split; the rules follow the script.
    text = (
        "秘密書簡には次のように述べられている。"
        "「そのような仮定は根本的にまちがっている。ボリシェヴィキのなすべきことではない！"
        "このことを忘れず、警戒しなければならない。」"
        "全連邦共産党（ボ）中央委員会は、ふたたび呼びかけた。"
    )
    expected = [
        "秘密書簡には次のように述べられている。",
        "「そのような仮定は根本的にまちがっている。",
        "ボリシェヴィキのなすべきことではない！",
        "このことを忘れず、警戒しなければならない。」",
        "全連邦共産党（ボ）中央委員会は、ふたたび呼びかけた。",
    ]
    assert split_sentences(text, "ja") == expected
    chinese = "信中说：“这种设想是根本错误的。必须记住这一点！”中央委员会再次号召。"
    assert split_sentences(chinese, "zh") == [
        "信中说：“这种设想是根本错误的。",
        "必须记住这一点！”",
        "中央委员会再次号召。",
    ]
    # The quotative particle still holds a quote to its sentence, and a decimal point is no end.
    assert split_sentences("「吾輩は猫である。名前はまだ無い。」と言った。１２．５円。", "ja") == [
        "「吾輩は猫である。",
        "名前はまだ無い。」と言った。",
        "１２．５円。",
    ]


def test_full_width_quotes_in_another_language_follow_the_same_rules() -> None:
    # A Chinese quotation inside an English sentence, and Japanese brackets in a German one.
    assert split_sentences("He wrote: “你好。”Then he left.", "en") == ["He wrote: “你好。”", "Then he left."]
    assert split_sentences("Sie las 「猫である。」Dann schwieg sie.", "de") == [
        "Sie las 「猫である。」",
        "Dann schwieg sie.",
    ]


def test_an_elision_is_not_taken_for_a_closing_quote() -> None:
    assert split_sentences("It was cold. ’Tis the season, he said.", "en") == [
        "It was cold.",
        "’Tis the season, he said.",
    ]


def test_a_japanese_quote_followed_by_its_particle_is_one_sentence() -> None:
    # 「…。」と言った: the quotative particle after the bracket goes on with the sentence; とにかく opens one.
    assert split_sentences("「君は誰だ。」と彼は言った。「僕は猫だ。」って答えた。", "ja") == [
        "「君は誰だ。」と彼は言った。",
        "「僕は猫だ。」って答えた。",
    ]
    assert split_sentences("「ありがとう！」とにかく行こう。", "ja") == [
        "「ありがとう！」",
        "とにかく行こう。",
    ]


def test_chinese_with_half_width_punctuation_keeps_its_straight_quotes() -> None:
    # Typed with a Latin keyboard: the closing '"' stayed behind and the next sentence began with it.
    assert split_sentences('他说:"你好."她说:"再见!"他走了.', "zh") == [
        '他说:"你好."',
        '她说:"再见!"',
        "他走了.",
    ]
    assert split_sentences('他说 "This is great." 然后笑了。', "zh") == [
        '他说 "This is great."',
        "然后笑了。",
    ]


def test_initials_and_decimals_inside_chinese_end_no_sentence() -> None:
    assert split_sentences("在U.S.A.和U.K.都有分公司。J.K.罗琳写了书。", "zh") == [
        "在U.S.A.和U.K.都有分公司。",
        "J.K.罗琳写了书。",
    ]
    assert split_sentences("他用ｉＰｈｏｎｅ拍照，花了１２．５元。２０２３年，ＡＢＣ公司成立。", "zh") == [
        "他用ｉＰｈｏｎｅ拍照，花了１２．５元。",
        "２０２３年，ＡＢＣ公司成立。",
    ]
    assert split_sentences("我买了iPhone.然后走了.", "zh") == ["我买了iPhone.", "然后走了."]


def test_korean_is_split_at_its_latin_stops() -> None:
    # Hangul between spaces, sentences ending in ". ! ?": once refused as an unknown language code.
    assert check_lang("ko-KR") == "ko"
    assert split_sentences("그는 집에 갔다. 그녀는 울었다! 왜? 1937년 3월 3일에 3.5%가 늘었다.", "ko") == [
        "그는 집에 갔다.",
        "그녀는 울었다!",
        "왜?",
        "1937년 3월 3일에 3.5%가 늘었다.",
    ]


def test_a_korean_quotation_of_several_sentences_is_split_and_its_closing_quote_stays_with_it() -> None:
    # pysbd's English rules, Korean's stand-in, keep a quotation whole: the Central Committee's letter
    # quoted in “…” was one sentence of seven, and a quote's last sentence ran into the next.
    letter = "“안일을 끝장내야 한다. 이러한 가정은 틀렸다! 왜 그런가?” 그는 말했다. "
    letter += '"가자. 이제 가자." 그리고 갔다.'
    assert split_sentences(letter, "ko") == [
        "“안일을 끝장내야 한다.",
        "이러한 가정은 틀렸다!",
        "왜 그런가?”",
        "그는 말했다.",
        '"가자.',
        '이제 가자."',
        "그리고 갔다.",
    ]
    # A quote closed before its verb (하고, 라고), as Japanese 「…。」と, and a trailing "…" or "..." go on.
    text = "그는 “가자.” 하고 말했다. “왜?” 라고 물었다. 그는 기다렸다… 그리고 갔다... 멀리."
    assert split_sentences(text, "ko") == [
        "그는 “가자.” 하고 말했다.",
        "“왜?” 라고 물었다.",
        "그는 기다렸다… 그리고 갔다... 멀리.",
    ]


def test_a_hebrew_or_yiddish_quotation_of_several_sentences_is_split_as_a_korean_one() -> None:
    # the same English rules kept the Hebrew quotation whole, with the sentence after it
    text = 'הוא אמר: "אנחנו נלך הביתה. זה מאוחר. אין לנו ברירה." אחר כך הוא הלך.'
    assert split_sentences(text, "he") == [
        'הוא אמר: "אנחנו נלך הביתה.',
        "זה מאוחר.",
        'אין לנו ברירה."',
        "אחר כך הוא הלך.",
    ]
    # Yiddish closes „ with “: the “ went to the next sentence
    text = "ער האָט געזאָגט: „מיר גייען אַהיים. עס איז שפּעט.“ דערנאָך איז ער אַוועק."
    assert split_sentences(text, "yi") == [
        "ער האָט געזאָגט: „מיר גייען אַהיים.",
        "עס איז שפּעט.“",
        "דערנאָך איז ער אַוועק.",
    ]


@pytest.mark.parametrize("lang", ["de", "cs", "ru"])
def test_a_quotation_opened_by_a_low_quote_closes_its_sentence(lang: str) -> None:
    """„…“ is how German (and Czech, and Russian inside «…») quotes: Punkt, pysbd and razdel took the
    closing “ for an opening one, and 'Es ist spät.“ Dann ging er.' stayed one sentence."""
    text = {
        "de": "Er sagte: „Wir gehen nach Hause. Es ist spät.“ Dann ging er.",
        "cs": "Řekl: „Půjdeme domů. Je pozdě.“ Pak odešel.",
        "ru": "Он сказал: „Мы идём домой. Уже поздно.“ Потом он ушёл.",
    }[lang]
    sentences = split_sentences(text, lang)
    assert len(sentences) == 3 and sentences[1].endswith(".“") and not sentences[2].startswith("“")
    # a quotation that ends inside a sentence runs on
    assert split_sentences("Er sagte: „Geh!“ und ging.", "de") == ["Er sagte: „Geh!“ und ging."]


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("zh", "他走了。。。她也走了！！！真的？？", ["他走了。。。", "她也走了！！！", "真的？？"]),
        ("ja", "すごい！！！本当に。そう。。。はい。", ["すごい！！！", "本当に。", "そう。。。", "はい。"]),
        ("ja", "ｶﾀｶﾅ｡ひらがな｡", ["ｶﾀｶﾅ｡", "ひらがな｡"]),  # the half-width stop
        ("hi", "वाह!!! बहुत अच्छा। ठीक है।", ["वाह!!! बहुत अच्छा।", "ठीक है।"]),
    ],
)
def test_a_run_of_stops_loses_no_character(lang: str, text: str, expected: list[str]) -> None:
    # pysbd's own character spans overlap after "。。。" and dropped the third stop from the text.
    assert split_sentences(text, lang) == expected


def test_a_piece_without_a_letter_is_no_sentence_of_its_own() -> None:
    # MAC-Dev's "传奇中的传奇。” ……" is one line; pysbd made "……" a sentence, and ". . ." a sentence of ".".
    assert split_sentences("“尤其是发生在那个年代，更是传奇中的传奇。” ……他笑了。", "zh") == [
        "“尤其是发生在那个年代，更是传奇中的传奇。” ……",
        "他笑了。",
    ]
    assert split_sentences("'Elder brothers . . . spare me . . .'", "en") == [
        "'Elder brothers . . . spare me . . .'"
    ]


def test_a_long_chinese_paragraph_goes_to_pysbd_in_pieces_and_is_split_as_its_parts_are() -> None:
    # pysbd's time grows with the square of its input (benchmarks/long_line.py: 380 KB of dialogue in one
    # paragraph, 27 s); a long paragraph now goes to it in pieces cut at sure sentence ends, which must not
    # change a sentence nor lose a character.
    unit = '“你好。”她说。他说."再见!"然后走了。'
    sentences = split_sentences(unit * 5000, "zh")
    assert sentences == split_sentences(unit, "zh") * 5000
    assert split_sentences(unit, "zh") == ["“你好。”", "她说。", "他说.", '"再见!"', "然后走了。"]
    korean = "그는 집에 갔다. 왜? 아무도 모른다! "
    assert split_sentences(korean * 3000, "ko") == ["그는 집에 갔다.", "왜?", "아무도 모른다!"] * 3000
    dots = "……" * 50000 + "他走了。"  # a dotted leader gone wrong: the script rule's pattern backtracked
    assert split_sentences(dots, "zh") == ["……" * 50000, "他走了。"]
