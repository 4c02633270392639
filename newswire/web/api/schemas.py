"""Request bodies as the OpenAPI document shows them.

Fields are loosely typed on purpose: the domain validates them and names the
fix in its own words (``newswire.intake.validate``); pydantic only documents.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReleaseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    headline: Any = Field(None, description="Plain text, at most 300 characters", examples=["Acme unveils X"])
    subheadline: Any = None
    dateline: Any = Field(None, description='{"city": "Berlin", "date": "2026-11-22"}')
    lead: Any = None
    body: Any = Field(None, description="The release text, in body_format")
    body_format: Literal["markdown", "html"] | None = None
    language: Any = Field(None, description="BCP 47: en, ko, ja, ar, zh-Hans, zh-Hant, vi, th, id, ms, de, ru, fr, "
                                            "es, pt", examples=["en"])
    boilerplate: Any = Field(None, description="'About …'; defaults to the issuer's")
    contacts: Any = Field(None, description="Media contacts; default to the issuer's")
    industries: Any = Field(None, description="IPTC Media Topic QCodes", examples=[["medtop:04000000"]])
    regions: Any = Field(None, description="ISO 3166-1 alpha-2 codes", examples=[["DE"]])
    tickers: Any = Field(None, description="EXCHANGE:SYMBOL or ISIN", examples=[["NASDAQ:ACME"]])
    keywords: Any = None
    attribution: Any = Field(None, description="Third-party attribution or disclaimer shown with the release")
    type: Any = Field(None, description="press_release (default) or adhoc: an ad-hoc disclosure under EU MAR "
                                        "Art. 17, which needs notifier, exchange, isins and a keyword")
    notifier: Any = Field(None, description="Ad-hoc: the name of the person notifying the disclosure")
    exchange: Any = Field(None, description="Ad-hoc: the exchange the instruments trade on", examples=["XETRA"])
    isins: Any = Field(None, description="Ad-hoc: the ISINs of the instruments concerned (at least one)",
                       examples=[["DE0007164600"]])


class ReleaseCreate(ReleaseFields):
    issuer: str | None = Field(None, description="Issuer slug (required for editor and admin keys)")
    embargo_until: str | None = Field(None, description="RFC 3339; the release stays hidden until then")
    target_languages: Any = Field(None, description="Languages to translate into once approved (BCP 47 tags)",
                                  examples=[["es", "pt", "fr"]])


class ReleaseEdit(ReleaseFields):
    embargo_until: str | None = None
    target_languages: Any = Field(None, description="Languages to translate into once approved (BCP 47 tags)",
                                  examples=[["es", "pt", "fr"]])


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    embargo_until: str | None = Field(None, description="Schedule for this RFC 3339 time instead of now")
    override: str | None = Field(None, description="An editor's note why the pre-checks' errors may stand "
                                                   "(audited); without it errors hold a release not approved")


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    override: str | None = Field(None, description="An editor's note why the pre-checks' errors may stand "
                                                   "(audited); without it errors hold approval")


class CorrectIn(ReleaseFields):
    correction_note: str | None = Field(None, description="What was corrected; shown to readers")


class SendBackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, description="What the issuer should change; the issuer reads it in the "
                                               "release's history")


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, description="Why; shown in the withdrawal notice")


def fields_of(model: BaseModel) -> dict:
    return model.model_dump(exclude_unset=True)


class TranslationEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segments: Any = Field(None, description='The segments to set, each {"id": from GET …/translations/{lang}, '
                                            '"text": the wording, inline HTML allowed}; the machine never '
                                            'overwrites them')


class GlossaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: Any = Field(None, description="Do-not-translate terms (brands, names)", examples=[["Acme", "WidgetPro"]])
    forced: Any = Field(None, description="Term → {language: translation}", examples=[{"press kit": {"es": "dosier"}}])


# --- subscribers (issue 3) -----------------------------------------------------------

class SubscriberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Any = Field(None, description="outlet, journalist or desktop", examples=["outlet"])
    name: Any = Field(None, examples=["Daily Planet"])
    email: Any = Field(None, description="Contact address; the default for e-mail endpoints")
    languages: Any = Field(None, description="BCP 47 tags; empty means any", examples=[["en", "de"]])
    regions: Any = Field(None, description="ISO 3166-1 alpha-2 codes; empty means any", examples=[["DE"]])
    industries: Any = Field(None, description="IPTC Media Topic QCodes, each matching its narrower topics",
                            examples=[["medtop:04000000"]])
    issuers: Any = Field(None, description="Issuer slugs to follow; empty means any", examples=[["acme"]])
    timezone: Any = Field(None, description="IANA time zone for e-mail digests; default UTC",
                          examples=["Europe/Berlin"])


class SubscriberPatch(SubscriberIn):
    active: Any = Field(None, description="false pauses every delivery to this subscriber")


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Any = Field(None, description="webhook or email", examples=["webhook"])
    url: Any = Field(None, description="Webhook: the https URL to POST to", examples=["https://news.example/hook"])
    address: Any = Field(None, description="E-mail: where to send; default the subscriber's email")
    format: Any = Field(None, description="Webhook: ninjs (default) or newsml-g2")
    max_in_flight: Any = Field(None, description="Concurrent requests to this endpoint, 1..64; default 4")
    digest_hour: Any = Field(None, description="E-mail: local hour 0..23 for a daily digest; null for instant")


class SubscriberKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, description="Who holds the key; default the subscriber's name")


class ImportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., description="The file's name; its suffix says how it is read: .md "
                                                        "(Markdown with YAML front matter), .html, .txt (wire copy)",
                      examples=["acme-wire.txt"])
    text: str = Field(..., description="The file's text (UTF-8)")


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    files: list[ImportFile] = Field(..., description="The files, at least one")
    dry_run: bool = Field(False, description="Write nothing; answer, per file, every field found, each piece of "
                                             "furniture removed and where it went, and what would be refused")
    publish: bool = Field(False, description="Publish (or schedule) each release")
    override: str | None = Field(None, description="With publish: why the pre-checks' errors may stand "
                                                   "(audited per release); without it errors hold the import")
    language: str | None = Field(None, description="Language of every file, instead of what they say or detection")
    issuer: str | None = Field(None, description="Issuer slug of every release (editor and admin keys)")
