#!/usr/bin/env python3
"""Parity of clipc's tokenizer (runtime/text, through clip-tokenize) with OpenCLIP.

Generates a seeded corpus of varied captions (plain captions, punctuation,
digits, contractions, composed and decomposed accents, many scripts, emoji
with ZWJ sequences, skin tones, flags and tags, HTML entities, curly quotes,
ligatures, fullwidth and halfwidth forms, every kind of line break and space,
control characters and terminal escapes, mojibake in each of ftfy's
encodings, very long texts, random code points of every plane), runs
open_clip.tokenize on all of them and clip-tokenize on all of them (one
process per mode, captions passed as hex so any text survives), and requires
identical ids for every caption: tokenize at context length 77 (all) and 16
(the first 2000), and encode (all, no truncation); and 3000 byte strings
with invalid UTF-8, against OpenCLIP given Python's errors='replace'
decoding. On a mismatch it prints the count and the first mismatches with
both cleaned texts.

It also times the tokenizer on 100,000 short captions (clip-tokenize --time,
one core) and prints captions/s next to OpenCLIP's.

  python3 test/parity/tokenizer_parity.py --build build [--count N] [--seed S]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata

import ftfy  # noqa: F401 (ftfy.bad_codecs registers the sloppy codecs)
import ftfy.bad_codecs  # noqa: F401
import open_clip
import regex
from open_clip import tokenizer as oc_tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --- Corpus ---------------------------------------------------------------

ADJECTIVES = ["red", "small", "happy", "old", "wooden", "shiny", "blurry", "tall", "golden",
              "striped", "fluffy", "rusty", "ancient", "modern", "tiny", "enormous", "wet"]
NOUNS = ["cat", "dog", "car", "house", "tree", "bicycle", "mountain", "boat", "pizza", "robot",
         "guitar", "child", "bridge", "lighthouse", "sandwich", "umbrella", "giraffe"]
PLACES = ["beach", "kitchen", "street", "forest", "city at night", "snow", "desert", "park",
          "museum", "market", "harbor", "stadium"]
TEMPLATES = [
    "a photo of a {a} {n}.",
    "A {a} {n} on the {p}",
    "{n} in the {p}, {a} and {a2}",
    "Close-up of a {n} near a {n2} at the {p}",
    "an illustration of the {a} {n}!",
    "Two {n}s and a {n2} ({a}) -- {p}",
    "THE {A} {N} IN THE {P}",
    "{n}/{n2}: {a}; {a2}?",
    "a {a} {n} wearing a hat, digital art, trending on artstation, 4k",
    "Stock photo: {a} {n} isolated on white background (ID #{d})",
]
SENTENCES = [
    "Un café crème à la terrasse, près de l'église.",
    "Straße, Größe, Übermut — schön! ẞ",
    "¿Dónde está el niño? ¡Mañana será otro día!",
    "Ação, coração, às vezes, àquele menino; à la carte",
    "Zażółć gęślą jaźń",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "İstanbul'da ılık bir gün, ŞEHİR MERKEZİ",
    "Η γρήγορη καφέ αλεπού πηδά πάνω από το τεμπέλικο σκυλί. ΟΔΟΣ ΣΟΦΟΣ ΣΑΣ.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю",
    "Їжак і ґава",
    "صورة قطة على الأريكة",
    "תמונה של חתול על הספה",
    "बिल्ली की तस्वीर सोफे पर",
    "ภาพแมวบนโซฟา",
    "一只猫坐在沙发上的照片，非常可爱。",
    "ソファの上の猫の写真です。ｶﾀｶﾅ",
    "소파 위의 고양이 사진",
    "Ảnh một con mèo trên ghế sofa ở Hà Nội",
    "Þórður og Ævar fóru í sund",
    "Ångström, Øresund, Ærø",
    "naïve coöperation résumé façade jalapeño piñata",
    "I ❤️ NY 🗽 and 🍕!",
    "Family: 👨‍👩‍👧‍👦 👩🏽‍💻 👍🏿 🏳️‍🌈 🇫🇷🇩🇪🇯🇵 🏴󠁧󠁢󠁷󠁬󠁳󠁿 1️⃣ #️⃣",
    "Math: 𝐀𝐁𝐂 𝕏 ℝ² ∑∫√∞ ≤ ≥ ≠ ± ½ ¾ ⅓ Ⅻ ⑤",
    "Money: $19.99, €5, £3, ¥1000, ₹250, 1,000,000.00",
    "Smart “quotes” and ‘single’ ones, it’s John’s — really… ‹›«»„‚",
    "ﬁnancial ﬂow, eﬃcient baﬄe, Ĳsselmeer, ǅemal, ﬆop",
    "ＬＯＵＤ　ＮＯＩＳＥＳ！ｆｕｌｌｗｉｄｔｈ　１２３",
    "He said: \"don't\", 'won't', they're, we've, I'm, you'll, he'd",
    "DON'T STOP. IT'S THEY'RE WE'VE I'M YOU'LL HE'D",
    "Kelvin K and Ohm Ω and Angstrom Å",
    "long s: ſtate, 'ſ, Wuſt",
    "html: &lt;b&gt;bold&lt;/b&gt; &amp; &quot;x&quot; &#39;y&#39; &eacute;t&eacute; &EACUTE;",
    "x <b>tag</b> &amp; &eacute; &lt;",
    "wiki-style [[link|text]] {{template}} __init__ snake_case camelCase",
    "url: https://example.com/path?q=1&r=2#frag, mail: a.b@c.de",
    "ASCII art ¯\\_(ツ)_/¯ (╯°□°)╯︵ ┻━┻",
]
MOJIBAKE_SOURCES = [
    "café", "naïve", "Größe", "“quoted”", "— dash", "€ 20", "schön", "à la mode", "voilà le travail",
    "Ça va?", "Müller’s", "señor", "Ελληνικά", "Русский текст", "Łódź", "İzmir", "Šibenik",
    "✔ No problems", "I ❤ it", "日本語", "emoji 😀", "…", "½ cup", "Dvořák", "façade—front",
    "25°C", "São Paulo", "Kraków", "Ärger über Öl", "résumé", "crème brûlée", "smörgåsbord",
]
ENCODINGS = ["latin-1", "windows-1252", "sloppy-windows-1252", "windows-1251", "sloppy-windows-1251",
             "windows-1250", "sloppy-windows-1250", "windows-1253", "windows-1254", "windows-1257",
             "iso-8859-2", "macroman", "cp437"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;", "&eacute;", "&EACUTE;", "&Eacute;",
            "&nbsp;", "&#8217;", "&#x2019;", "&#X41;", "&hellip;", "&mdash;", "&copy;", "&reg;",
            "&amp;amp;", "&amp;lt;", "&amp;#39;", "&amp", "&lt", "&notit;", "&notin;", "&not",
            "&#0;", "&#1;", "&#13;", "&#128;", "&#x80;", "&#x9f;", "&#xD800;", "&#x110000;",
            "&#99999999999999999999;", "&#65", "&#x;", "&#;", "&;", "&&", "&foo;", "&SZLIG;",
            "&NTILDE;", "&nTILDE;", "&Jscr;", "&HilbertSpace;", "&checkmark;", "&frac12;",
            "&ThickSpace;", "&NotEqualTilde;", "&fjlig;", "&#12ab;", "&#x1F600;", "&AElig",
            "&aeligx", "&ampx", "&eacute", "&#65;&#66;", "&lt;script&gt;", "a&b", "AT&T",
            "&#x0d;", "&#xFFFE;", "&#xFDD0;", "&#11;", "&#12;", "&#x1b;[31m"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
          "\x85", "\xa0", "\u1680", "\u180e", "\u2000", "\u2003", "\u2007", "\u200a", "\u200b",
          "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff", "\u2060"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x1a", "\x1b", "\x7f", "\x80", "\x81", "\x8d",
            "\x90", "\x91", "\x92", "\x93", "\x94", "\x96", "\x9d", "\x9f", "\u206a", "\u206f",
            "\ufff9", "\ufffc", "\ufffd", "\u200e", "\u200f", "\u202a", "\u202e", "\U000e0041",
            "\x1b[31m", "\x1b[0m", "\x1b[1;32;40m", "\x1b[", "\x1b[12", "\x1b[٣m", "\x1b]0;t\x07"]
COMBINING = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030a", "\u0327", "\u0323",
             "\u031b", "\u0345", "\u05b0", "\u093c", "\u3099", "\u309a", "\u20dd", "\u0f71",
             "\u0f72", "\u0f74", "\u0344", "\u0340", "\u0958"]
SPECIALS = ["<start_of_text>", "<end_of_text>", "<START_OF_TEXT>", "<ſtart_of_text>",
            "<|startoftext|>", "<|endoftext|>", "x<end_of_text>y", "!<start_of_text>"]
# Hand-picked cases for the corners of ftfy, html.unescape and str.lower:
# `$` before a final newline in ftfy's utf-8-variants codec ("\xc0\n" -> NUL,
# a CESU-8 pair ending in "\n"), restore_byte_a0 and its Portuguese
# exceptions, lossy sequences, C1 controls, each BADNESS_RE family, entities
# at their limits, final sigma, Hangul composition, canonical reordering.
EDGE_CASES = [
    "Ã©À\n", "Ã©À\nabc", "x Ã©í\xa0½í¸\n", "Ã©í\xa0½í¸\n", "Ã©í\xa0½í¸x", "Ã©í\xa0½í¸\nmore",
    "&ampé", "&notin", "&" + "a" * 40 + ";", "&" + "amp" * 12 + ";", "&#x" + "0" * 30 + "41;",
    "&#0000000065;", "AΣ'", "AΣ'B", "A'Σ", "1Σ", "ΑΣ\u0301", "ΑΣ\u0301Α", "Σ\u0345", "ǅΣ",
    "\u1100\u1161\u11a8\u11a8", "\u1100\u1161\u1161", "\uac00\u11a8", "\uac01\u11a8",
    "a\u0301\u0301", "\u0f71\u0f72\u0f74", "\u0344", "\u1e9b\u0323",
    "<end_of_text>x<start_of_text>", "'S'T'RE'VE'M'LL'D", "'ſ'ſa", "Ⅻ", "½", "x²", "٣٤", "ı", "K",
    "ﬆ", "ŉ", "Ã ", "Ã\xa0", " Ã ", "Ã la", "Ã  la", "Ã quele", "Ã s", "fÃ cil", "Ã\xa0 la mode",
    "â€œ like this â€�", "â€œ like this â€?", "Ã?", "ÃƒÂ©", "Ã¢â‚¬Å“", "\x80\x81\x8d", "abc\x9d",
    "Ã©\x81", "Ð Ð¾Ñ\x81Ñ\x81Ð¸Ñ\x8f", "Ð Ð¾Ñ Ñ Ð¸Ñ", "РїРѕРёСЃРє", "Ã¤Ã¶Ã¼ ok ÄÖÜ", "×²", "√±",
    "‚Ä†", "вЂ", "ГўВЂВ™s", "β€™", "ā€", "Ã\u00a1", "^Â ", "l’été", "ï»¿BOM", "\ufeffBOM",
    "Ã©\r\nÃ©", "Ã©\rÃ©", "\x1b[31;1mX\x1b[0m", "\x1b[٣mX", "\x1b[m", "\x1b[;", "a\u2028b",
    "&lt;tag&gt;\nP&EACUTE;REZ", "P&EACUTE;REZ\n<b>", "<b>\nP&EACUTE;REZ", "&#x80;&#128;&#x9F;",
    "&#65;bc", "&#x41", "&#x41;;", "&amp;#x41;", "ﾊﾞﾝﾄﾞ", "ｶﾞ", "ﾟ", "\uff9e", "\uffe0\uffe6\uffe8",
    "\u3000x\u3000", "Ｔｅｓｔ！", "ǈ", "Ǉ", "ǲ", "Ĳ", "ﬀ", "\U0001d400\U0001d7ce",
    "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", "🙂" * 100,
    "ΣΑΣ. ΣΑΣ", "İstanbul", "ŞEHİR", "Ⓐⓑ", "\u0130\u0307",
]
RANGES = [  # (low, high) code point ranges for random text, all planes
    (0x20, 0x7e), (0xa0, 0xff), (0x100, 0x24f), (0x250, 0x2ff), (0x300, 0x36f), (0x370, 0x3ff),
    (0x400, 0x4ff), (0x530, 0x58f), (0x590, 0x5ff), (0x600, 0x6ff), (0x900, 0x97f), (0xe00, 0xe7f),
    (0x10a0, 0x10ff), (0x1100, 0x11ff), (0x1e00, 0x1eff), (0x1f00, 0x1fff), (0x2000, 0x206f),
    (0x2070, 0x20cf), (0x2100, 0x214f), (0x2150, 0x218f), (0x2190, 0x23ff), (0x2460, 0x24ff),
    (0x2500, 0x259f), (0x2600, 0x27bf), (0x2e80, 0x2fdf), (0x3000, 0x30ff), (0x3130, 0x318f),
    (0x3200, 0x33ff), (0x4e00, 0x9fff), (0xa000, 0xa4cf), (0xac00, 0xd7a3), (0xd7b0, 0xd7ff),
    (0xe000, 0xf8ff), (0xf900, 0xfaff), (0xfb00, 0xfb4f), (0xfb50, 0xfdff), (0xfe00, 0xfe6f),
    (0xfe70, 0xfeff), (0xff00, 0xffef), (0xfff0, 0xffff), (0x10000, 0x1007f), (0x10400, 0x1044f),
    (0x1d100, 0x1d1ff), (0x1d400, 0x1d7ff), (0x1f000, 0x1faff), (0x20000, 0x2a6df),
    (0x2f800, 0x2fa1f), (0x30000, 0x3134f), (0xe0000, 0xe01ef), (0xf0000, 0xffffd),
    (0x100000, 0x10ffff), (0x3fff0, 0x3ffff), (0x50000, 0x5ffff),
]


def random_codepoint(rng):
    if rng.random() < 0.15:
        c = rng.randrange(0x110000 - 0x800)
        return chr(c if c < 0xD800 else c + 0x800)
    lo, hi = rng.choice(RANGES)
    return chr(rng.randint(lo, hi))


def plain_caption(rng):
    t = rng.choice(TEMPLATES)
    a, a2 = rng.sample(ADJECTIVES, 2)
    n, n2 = rng.sample(NOUNS, 2)
    p = rng.choice(PLACES)
    return t.format(a=a, a2=a2, n=n, n2=n2, p=p, A=a.upper(), N=n.upper(), P=p.upper(),
                    d=rng.randrange(10 ** 6))


def mojibake(rng):
    s = rng.choice(MOJIBAKE_SOURCES + SENTENCES[:20])
    enc = rng.choice(ENCODINGS)
    bad = s.encode("utf-8").decode(enc, errors="replace")
    r = rng.random()
    if r < 0.2:
        bad = bad.replace("\xa0", " ")  # a no-break space lost to a plain space
    elif r < 0.3:  # twice
        bad = bad.encode("utf-8").decode(rng.choice(["latin-1", "sloppy-windows-1252"]), errors="replace")
    elif r < 0.4:
        bad = bad.upper() if rng.random() < 0.5 else bad.lower()
    if rng.random() < 0.5:  # embedded in clean text, maybe next to other scripts
        bad = f"{plain_caption(rng)} {bad} {rng.choice(SENTENCES)}"
    return bad


def decomposed(rng):
    s = rng.choice(SENTENCES + MOJIBAKE_SOURCES)
    form = rng.choice(["NFD", "NFKD", "NFKC", "NFC"])
    s = unicodedata.normalize(form, s)
    if rng.random() < 0.5:  # extra combining marks, in any order
        out = []
        for ch in s:
            out.append(ch)
            if rng.random() < 0.3:
                out.extend(rng.choice(COMBINING) for _ in range(rng.randint(1, 3)))
        s = "".join(out)
    return s


def with_entities(rng):
    parts = [plain_caption(rng)]
    for _ in range(rng.randint(1, 4)):
        parts.append(rng.choice(ENTITIES))
        parts.append(rng.choice(["", " ", "x", ";", rng.choice(NOUNS)]))
    if rng.random() < 0.2:
        parts.insert(rng.randrange(len(parts)), "<" if rng.random() < 0.5 else "<i>")
    if rng.random() < 0.2:
        parts.insert(rng.randrange(len(parts)), "\n")
    return "".join(parts)


def spaces_and_controls(rng):
    words = plain_caption(rng).split()
    out = []
    for w in words:
        out.append(w)
        r = rng.random()
        if r < 0.5:
            out.append(rng.choice(SPACES))
        elif r < 0.8:
            out.append(rng.choice(CONTROLS))
        else:
            out.append(" ")
    s = "".join(out)
    if rng.random() < 0.3:
        s = rng.choice(SPACES) * rng.randint(1, 3) + s + rng.choice(SPACES) * rng.randint(1, 3)
    return s


def long_text(rng):
    r = rng.random()
    if r < 0.4:
        return " ".join(plain_caption(rng) for _ in range(rng.randint(5, 20)))
    if r < 0.6:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(80, 400)))
    if r < 0.7:
        return str(rng.randrange(10 ** 120))
    if r < 0.85:
        return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 10)))
    return "".join(random_codepoint(rng) for _ in range(rng.randint(100, 300)))


def byte_soup(rng):
    n = rng.randint(1, 40)
    s = "".join(random_codepoint(rng) for _ in range(n))
    if rng.random() < 0.3:
        s = s.replace(rng.choice(s), " ")
    return s


def mixture(rng):
    gens = [plain_caption, mojibake, decomposed, with_entities, spaces_and_controls, byte_soup]
    parts = [rng.choice(gens)(rng) for _ in range(rng.randint(2, 4))]
    parts += [rng.choice(SENTENCES), rng.choice(SPECIALS) if rng.random() < 0.2 else ""]
    rng.shuffle(parts)
    return rng.choice([" ", "", "\n", ". "]).join(parts)


def punctuation(rng):
    p = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»“”‘’…–—·•§¶†‡‰′″‹›"
    return "".join(rng.choice([rng.choice(p), rng.choice(p) * 3, " ", rng.choice(NOUNS),
                               str(rng.randrange(1000)), "'s", "'LL", "'"]) for _ in range(rng.randint(1, 20)))


def digits(rng):
    forms = ["{}", "{:,}", "{:.2f}", "#{}", "{}%", "${}", "{}km", "v{}.{}", "{}-{}-{}", "0x{:x}",
             "+1 ({}) 555-{}", "{}th", "{}st", "{}'s"]
    f = rng.choice(forms)
    nums = [rng.randrange(10 ** rng.randint(1, 9)) for _ in range(f.count("{"))]
    s = f.format(*nums)
    if rng.random() < 0.3:  # other digit systems
        s += " " + "".join(chr(rng.choice([0x660, 0x6f0, 0x966, 0xe50, 0xff10, 0x1d7ce])
                               + rng.randrange(10)) for _ in range(rng.randint(1, 6)))
    return f"{plain_caption(rng)} {s}"


def corpus(count, seed):
    rng = random.Random(seed)
    fixed = ["", " ", "\n", "\t \r\n", "a", "A", "'", "'s", "'S", "it's", "IT'S", "‘’", "&", "&amp;",
             "<", ">", "<start_of_text>", "<end_of_text>", "\x00", "\ufeff", "\ufffd", "🙂",
             "İ", "ΣΑΣ", "Σ", "aΣ", "aΣb", "a\u0345Σ", "ß", "ǅ", "ŉ", "Ω", "Å", "\u1100\u1161\u11a8",
             "e\u0301", "e\u0323\u0301", "e\u0301\u0323", "\u0301e", "x" * 500, "hello " * 100,
             "ＡＢＣ", "ﾊﾟﾝ", "\x1b[31mred\x1b[0m", "Ã©", "Ã ", "Ã la mode", "â€œhiâ€\x9d", "â€œhiâ€�",
             "sÃ³", "schÃ¶n", "Ã\xa0 la", "fÃ cil", "&macr;\\_(ã\x83\x84)_/&macr;",
             "âœ” No problems", "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "P&EACUTE;REZ",
             "BUNDESSTRA&SZLIG;E", "\xc0\n", "Ã\x80\n", "a\nb\rc\r\nd\u2028e\u2029f\x85g"]
    gens = [(plain_caption, 20), (punctuation, 6), (digits, 6), (decomposed, 10), (mojibake, 14),
            (with_entities, 10), (spaces_and_controls, 10), (long_text, 6), (byte_soup, 10),
            (mixture, 8), (lambda r: r.choice(SENTENCES), 4),
            (lambda r: r.choice(SPECIALS) + " " + plain_caption(r), 1)]
    population = [g for g, w in gens for _ in range(w)]
    texts = list(fixed) + EDGE_CASES
    while len(texts) < count:
        texts.append(rng.choice(population)(rng))
    return texts


# --- Comparison -----------------------------------------------------------

def run_tool(tool, args, texts):
    with tempfile.NamedTemporaryFile("w", suffix=".hex", delete=False) as f:
        for t in texts:
            f.write((t if isinstance(t, bytes) else t.encode("utf-8")).hex() + "\n")
        path = f.name
    try:
        proc = subprocess.run([tool, "--format", "hex", *args, path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {tool} {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    lines = proc.stdout.split("\n")
    assert lines[-1] == "", "output does not end with a newline"
    lines = lines[:-1]
    if len(lines) != len(texts):
        sys.exit(f"FAIL: {tool} wrote {len(lines)} lines for {len(texts)} captions")
    return lines, proc.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--count", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--bench", type=int, default=100000, help="short captions to time (0: skip)")
    args = ap.parse_args()
    t0 = time.time()
    tool = os.path.join(args.build, "bin", "clip-tokenize")
    vocab = oc_tokenizer.default_bpe()
    texts = corpus(args.count, args.seed)
    print(f"open_clip_torch {open_clip.__version__}, ftfy {ftfy.__version__}; "
          f"{len(texts)} captions (seed {args.seed}); vocabulary {vocab}")

    # The character tables were generated from these modules' versions.
    tables = open(os.path.join(ROOT, "runtime", "text", "UnicodeTables.inc"), encoding="utf-8").read(4096)
    here = (f"unicodedata {unicodedata.unidata_version}), regex {regex.__version__}, "
            f"ftfy {ftfy.__version__}.")
    if here not in tables:
        print(f"note: runtime/text/*.inc were generated with other versions than the installed "
              f"ones ({here}); if captions differ, run scripts/gen_unicode_tables.py")

    tok = oc_tokenizer.SimpleTokenizer(vocab)
    failures = 0
    n16 = min(len(texts), 2000)
    for mode, ctx, subset in [("tokenize", 77, texts), ("tokenize", 16, texts[:n16]),
                              ("encode", None, texts)]:
        t = time.time()
        if mode == "tokenize":
            theirs = [" ".join(map(str, row))
                      for row in open_clip.tokenize(subset, context_length=ctx).tolist()]
        else:
            theirs = [" ".join(map(str, tok.encode(x))) for x in subset]
        t_py = time.time() - t
        extra = ["--context-length", str(ctx)] if ctx else []
        t = time.time()
        ours, _ = run_tool(tool, ["--vocab", vocab, "--mode", mode, *extra], subset)
        t_ours = time.time() - t
        bad = [i for i in range(len(subset)) if ours[i] != theirs[i]]
        label = f"{mode}" + (f" (context length {ctx})" if ctx else " (no truncation)")
        print(f"{label}: {len(subset) - len(bad)}/{len(subset)} identical "
              f"(OpenCLIP {t_py:.1f} s, clip-tokenize {t_ours:.2f} s)")
        if bad:
            failures += len(bad)
            cleaned, _ = run_tool(tool, ["--mode", "clean"], [texts[i] for i in bad[:10]])
            for k, i in enumerate(bad[:10]):
                theirs_clean = oc_tokenizer._clean_lower(texts[i])
                ours_clean = bytes.fromhex(cleaned[k]).decode("utf-8", errors="replace")
                print(f"  caption #{i}: {texts[i]!r}")
                print(f"    OpenCLIP:      {theirs[i]}")
                print(f"    clip-tokenize: {ours[i]}")
                print(f"    cleaned by OpenCLIP:      {theirs_clean!r}")
                print(f"    cleaned by clip-tokenize: {ours_clean!r}"
                      + ("" if ours_clean == theirs_clean else "   <-- differs"))

    # Invalid UTF-8 (clip-tokenize's input is bytes): as Python's
    # bytes.decode('utf-8', errors='replace') would give OpenCLIP.
    rng = random.Random(args.seed + 1)
    soup = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    soup += [rng.choice(texts).encode("utf-8")[: rng.randint(0, 30)] + bytes([rng.randrange(0x80, 0x100)])
             + rng.choice(texts).encode("utf-8")[:20] for _ in range(1000)]
    theirs = [" ".join(map(str, row)) for row in
              open_clip.tokenize([b.decode("utf-8", errors="replace") for b in soup]).tolist()]
    ours, _ = run_tool(tool, ["--vocab", vocab], soup)
    bad = [i for i in range(len(soup)) if ours[i] != theirs[i]]
    print(f"invalid UTF-8 (decoded with errors='replace'): {len(soup) - len(bad)}/{len(soup)} identical")
    for i in bad[:10]:
        print(f"  bytes {soup[i]!r}:\n    OpenCLIP:      {theirs[i]}\n    clip-tokenize: {ours[i]}")
    failures += len(bad)

    if args.bench:
        rng = random.Random(7)
        short = [plain_caption(rng) for _ in range(args.bench)]
        _, err = run_tool(tool, ["--vocab", vocab, "--time"], short)
        t = time.time()
        n_py = min(len(short), 5000)
        open_clip.tokenize(short[:n_py])
        py_rate = n_py / (time.time() - t)
        print(f"speed, short captions, one core: {err.strip().split(': ', 1)[-1]} "
              f"(OpenCLIP: {py_rate:,.0f} captions/s)")

    print(f"total {time.time() - t0:.1f} s")
    if failures:
        print(f"FAIL: {failures} mismatches")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
