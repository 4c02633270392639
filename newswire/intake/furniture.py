"""The furniture around a release in scraped wire copy: what is not the release's body.

Tag lines, footer links (often glued to the next text because the scraper dropped a tag),
third-party disclaimers, the distributor's own boilerplate, "About X" paragraphs, contact
blocks and the wire's source lines. Each is a small pattern anchored at a line's start, in
the wire's languages; no library knows these shapes. What is recognised is moved to a field
or listed as dropped, never lost silently (``Piece``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.vocab import media_topics


@dataclass
class Piece:
    kind: str  # dateline marker, tag line, footer, disclaimer, distributor, source, about, contact, junk …
    text: str
    to: str  # the field it went to (dateline, attribution, boilerplate, contacts, keywords, industries …) or dropped


_TAG_LABELS = (r"industries|industry|sectors?|branchen?|secteurs?|sectores|setores|industri|отрасли|行业|行業|業種"
               r"|업종|산업|ngành|อุตสาหกรรม|القطاعات|الصناعات")
_KEYWORD_LABELS = (r"keywords?|tags|topics?|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|mots-clés"
                   r"|palabras clave|palavras-chave|kata kunci|ключевые слова|теги|关键词|關鍵詞|关键字|キーワード"
                   r"|키워드|từ khóa|คำสำคัญ|الكلمات (?:الرئيسية|المفتاحية)")
TAG_LINE = re.compile(r"^\s*(?i:(?P<label>" + _TAG_LABELS + "|" + _KEYWORD_LABELS + r"))\s*[:：]\s*(?P<values>\S.*)$")
_HOST = r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[a-z0-9/_.~%?=&#-]*)?"
# Label (any case) + a lower-case host: glued text after it starts with a capital, which ends the match.
FOOTER = re.compile(
    r"^\s*(?i:(?:visit us at|visit us online at|weitere informationen unter|mehr informationen unter"
    r"|besuchen sie uns (?:auf|unter)|digitale pressemappe|for more information,? (?:visit|see)|read more at"
    r"|mehr unter)\s*:?"
    r"|(?:visit us|visit|website|web|internet|more information|further information|for more information"
    r"|weitere informationen|mehr informationen|plus d'informations|más información|mais informações"
    r"|informasi lebih lanjut|read more|mehr|details|подробнее|詳細|更多信息|자세한 내용|xem thêm)\s*[:：])"
    r"\s*(?P<url>" + _HOST + r")(?P<rest>.*)$")
# A line that is only a "read more" link label, with nothing to keep.
BARE_FOOTER = re.compile(r"^\s*(?i:details|read more|mehr lesen|weiterlesen|lire la suite|leer más|leia mais"
                         r"|baca selengkapnya|подробнее|詳細|阅读更多|閱讀更多|더 보기|xem thêm|อ่านต่อ|اقرأ المزيد"
                         r"|view source version on \S+|logo\s*[:-]\s*\S+|photos? accompanying this .*)\s*$")
# A line that only says what the text is ("Press release", "For immediate release"), in the wire's
# languages: the page's label, not a standfirst.
GENRE = re.compile(r"^\s*(?i:(?:(?:news|press|media) release|pressemitteilung|presseinformation|pressemeldung"
                   r"|medieninformation|communiqué(?: de presse)?|comunicado(?: de prensa| de imprensa| à imprensa)?"
                   r"|nota de prensa|siaran pers|kenyataan (?:media|akhbar)|пресс-релиз|новость компании|新闻稿|新聞稿"
                   r"|プレスリリース|ニュースリリース|보도자료|보도 자료|thông cáo báo chí|ข่าวประชาสัมพันธ์|بيان صحفي"
                   r"|for immediate release|zur sofortigen veröffentlichung|pour diffusion immédiate"
                   r"|para (?:su )?(?:publicación|divulgação) inmediata|para divulgação imediata))\s*[:：.]?\s*$")
DISCLAIMER = re.compile(
    r"(?i)solely responsible for the content|f(?:ü|ue)r den inhalt .{0,80}verantwortlich|seule? responsable du contenu"
    r"|(?:único|única) responsable del contenido|responsável pelo conteúdo|bertanggung jawab (?:penuh )?atas isi"
    r"|^(?:(?:legal |important )?disclaimer|rechtlicher hinweis|haftungsausschluss|avertissement|aviso legal"
    r"|penafian|免责声明|免責聲明|免責事項"
    r"|면책 조항|tuyên bố miễn trừ|ข้อจำกัดความรับผิดชอบ|إخلاء المسؤولية|отказ от ответственности)\s*[:：]"
    r"|^original-content (?:von|from)\s*:|(?:übermittelt durch|distributed by|transmitted by) news aktuell"
    r"|(?:artikel|beitrag) wird von einem drittanbieter|provided by a third-party|third-party content provider"
    r"|fourni par un (?:prestataire|fournisseur) tiers|proporcionado por un proveedor (?:de contenido )?externo"
    r"|fornecido por um (?:fornecedor|provedor) terceiro|keine zusicherungen oder darstellungen"
    r"|inhaltlicher verantwortung des aussenders|makes no warranties or representations"
    r"|provides this news content \"?as is|without warranty of any kind|由第三方内容提供者提供|由第三方內容提供者提供"
    r"|pembekal kandungan pihak ketiga|penyedia konten pihak ketiga|tidak memberikan sebarang jaminan"
    r"|сторонн\w+ поставщик\w* (?:контента|содержимого)|第三者(?:の)?コンテンツ|제3자 콘텐츠"
    r"|nhà cung cấp nội dung bên thứ ba|ผู้ให้บริการเนื้อหาบุคคลที่สาม|مزود محتوى (?:خارجي|تابع لطرف ثالث)")
_DISTRIBUTORS = (r"SeaPRwire|PR ?Newswire|Cision|Business ?Wire|GLOBE ?NEWSWIRE|GlobeNewswire|EIN ?Presswire"
                 r"|ACCESSWIRE|ACCESS Newswire|JCN Newswire|news aktuell|APA-OTS|美通社|新华社")
# The distributor's own boilerplate: a paragraph that opens with its name (and maybe its URL) and says
# what it delivers, or its "About" heading.
DISTRIBUTOR = re.compile(
    r"^(?:(?:About|Über|À propos de|Acerca de|Sobre|Tentang|关于|關於)\s+)?(?:" + _DISTRIBUTORS + r")"
    r"(?:\s*\([^)]{0,60}\))?\s*(?:$|(?i:provides|delivers|offers|is a|is the|liefert|bietet|ist ein|fournit|est un"
    r"|proporciona|ofrece|es un|fornece|oferece|é um|menyediakan|adalah|提供|是|предоставляет|является))")
# A copyright line of the page or the distributor, not of the release.
COPYRIGHT = re.compile(r"(?i)^(?:copyright|©|\(c\))\s.{0,120}(?:all rights reserved|alle rechte vorbehalten|tous droits "
                       r"réservés|todos los derechos reservados|todos os direitos reservados|hak cipta dilindungi"
                       r"|все права защищены|版权所有|版權所有|無断転載|무단 전재)|^(?:copyright|©)\s.{0,60}(?:"
                       + _DISTRIBUTORS + r")")
SOURCE = re.compile(r"(?i)^(?:source|quelle|fuente|fonte|sumber|источник|消息来源|消息來源|来源|來源|출처|nguồn|ที่มา"
                    r"|المصدر)\s*[:：]\s*\S"
                    r"|^(?:SOURCE|FUENTE|FONTE|QUELLE|ИСТОЧНИК|SUMBER|NGUỒN|消息来源|消息來源)\s+\S")  # PR Newswire's last line
CONTACT = re.compile(
    r"^\s*(?i:(?:media|press|investor)\s+(?:contacts?|enquiries|inquiries|relations)|contacts?|pressekontakt"
    r"|presse-kontakt|medienkontakt|rückfragehinweis|rückfragen|kontakt|ansprechpartner(?:in)?"
    r"|contacts? (?:presse|médias?)|contacto(?:s)?(?: de prensa| para medios)?|conta(?:c)?to(?:s)?(?: (?:para|com) a imprensa| para imprensa| de imprensa)?"
    r"|assessoria de imprensa"
    r"|kontak(?: media)?|hubungi|untuk maklumat lanjut,? hubungi|контакты(?: для сми)?|контакт для сми"
    r"|媒体联系人?|媒體聯絡人?|联系人|聯絡人|(?:報道関係者(?:の|様)?)?お問い合わせ(?:先)?|報道関係者"
    r"|언론 문의|미디어 문의|문의|liên hệ(?: báo chí)?|ติดต่อ(?:สื่อมวลชน)?|للتواصل الإعلامي|جهة الاتصال)"
    r"\s*(?:[:：]\s*(?P<rest>.*))?$")
ABOUT = re.compile(r"^(?:About|Über|Ueber|À propos d[e'’]|A propos d[e'’]|Acerca de|Sobre|Tentang|Mengenai"
                   r"|Giới thiệu về|О компании|Об? |نبذة عن|حول|เกี่ยวกับ)\s*(?P<name>[\w«\"„“‘'].*)$"
                   r"|^(?:关于|關於)(?P<cjk>\S.*)$|^(?P<ja>\S.{0,40})について$|^(?P<ko>\S.{0,40}) 소개$")

_ABBREVIATION = re.compile(r"\b(?:Ltd|Inc|Corp|Co|Bhd|Tbk|S\.A|N\.V|B\.V|Pty|Ltda|Cie|GmbH & Co)\.$")
# A comma between a contact's items, not the one in "Trex Company, Inc.".
_COMMA = re.compile(r"[,，](?!\s*(?:Inc|Ltd|LLC|Corp|Co|S\.A|GmbH|AG|plc|Bhd|Tbk)\b)")
# Bounded parts (RFC 5321's lengths) and a left boundary: unbounded runs made a long run of word
# characters cost quadratic time (a minute for one 200 KB paragraph).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
PHONE = re.compile(r"\+?\(?\d[\d\s()./-]{5,}\d")
_PHONE_LABEL = re.compile(r"(?i)^(?:tel(?:efon|ephone|\.)?|phone|fon|mobil(?:e|telefon)?|mob\.|handy|t|m|телефон"
                          r"|電話|电话|전화|điện thoại|โทร|هاتف)\s*[.:：]?\s*")
_EMAIL_LABEL = re.compile(r"(?i)^(?:e-?mail|メール|邮箱|이메일|почта)\s*[:：]\s*")
_ORG = re.compile(r"\b(?:AG|GmbH|SE|KG|Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|S\.A\.|SAS|Co\.|Bhd|Tbk)(?:\s|$)"
                  r"|株式会社|有限公司|주식회사|(?:^|\s)(?:PT|CTCP|ООО|АО)\s")


def tags(values: str, industries: list, keywords: list) -> None:
    """Each label that names an IPTC Media Topic (in any language) becomes an industry, the
    rest keywords. Labels may contain commas ("Arts, culture, …"): the longest match wins."""
    topics = media_topics()
    parts = [p.strip() for p in re.split(r"[,;|，、；،]", values) if p.strip()]
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            topic = topics.find_by_label(", ".join(parts[i:j]))
            if topic:
                if topic.qcode not in industries:
                    industries.append(topic.qcode)
                i = j
                break
        else:
            if parts[i] not in keywords:
                keywords.append(parts[i])
            i += 1


def contact(lines: list[str], *, strict: bool = False) -> dict | None:
    """The person in one paragraph of a contact block; its lines may also be one comma list
    ("Jane Doe, jane@acme.example"). ``strict`` (a paragraph after the block's first) requires
    an e-mail or phone number, so that the release's text after the block is not taken."""
    found: dict = {}
    plain = []
    for line in (part.strip() for raw in lines for part in _COMMA.split(raw)):
        if not line:
            continue
        if m := EMAIL.search(line):
            found["email"] = m.group()
        elif PHONE.fullmatch(number := _PHONE_LABEL.sub("", line)):
            found.setdefault("phone", number)
        elif not re.search(r"\d|www\.|https?:|[:：]$", line) and len(line) <= 80 and not _EMAIL_LABEL.match(line):
            plain.append(re.sub(r"^(?:Name|名前|姓名|이름)\s*[:：]", "", line).strip())
    if strict and not found:
        return None
    if plain:
        found["name"] = plain[0]
    for extra in plain[1:3]:
        found["organisation" if _ORG.search(extra) and "organisation" not in found else "role"] = extra
    return found or None


def _capital(ch: str) -> bool:
    return ch.isalpha() and not ch.islower()  # a capital, or a letter of a script without case


def is_about(first: str, i: int, n: int, glued: set) -> bool:
    """An "About X" heading in the release's second half, or text that a scraper glued to the footer link."""
    m = ABOUT.match(first)
    # "About Acme", "Über die Mainbank AG": a name is in it ("About 300 people came." is not one).
    named = m and (m["cjk"] or m["ja"] or m["ko"] or any(_capital(w.lstrip("«\"„“‘'")[:1]) for w in m["name"].split()))
    if not named:
        return False
    # "About Acme Co., Ltd." ends with its name's abbreviation, not a sentence.
    sentence = first.endswith((".", "!", "?", ":", "。")) and not _ABBREVIATION.search(first)
    heading = len(first) <= 80 and not sentence
    return (heading and i >= n // 2) or first in glued
