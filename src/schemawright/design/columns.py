"""Column inference: what a column's name says about its type, nullability, default and checks.

Each rule is one row of ``RULES``: a matcher on the column name and the decision it implies, with
the reason written out for docs/inferences.md. The first matching rule wins; anything the input
states explicitly overrides the rule's corresponding part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemawright.model.types import DataType, Kind

MONEY = DataType(Kind.NUMERIC, precision=12, scale=2)


@dataclass(slots=True)
class ColumnGuess:
    """What a rule decided for one column."""

    rule: str
    reason: str
    type: DataType
    nullable: bool = True
    default: str | None = None  # SQL default in canonical form
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name suffix, expression)
    unique: bool = False
    pii: bool = False
    status_set: bool = False  # the values come from the status vocabulary


def _names(*words: str) -> re.Pattern:
    return re.compile("^(?:" + "|".join(words) + ")$")


@dataclass(slots=True, frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    build: callable


def _money(col: str) -> ColumnGuess:
    signed = col in ("balance", "adjustment") or col.endswith("_balance")
    return ColumnGuess(
        "type.money", "a money-like name: exact numeric(12,2), never float (rounding errors)"
        + ("" if signed else "; amounts cannot be negative"), MONEY, nullable=False,
        checks=[] if signed else [(f"{col}_non_negative", f"{col} >= 0")])


def _quantity(col: str) -> ColumnGuess:
    return ColumnGuess("type.quantity", "a count or quantity: integer, never negative, 0 until set",
                       DataType(Kind.INTEGER), nullable=False, default="0",
                       checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _flag(col: str) -> ColumnGuess:
    default = "true" if col in ("is_active", "is_enabled", "is_visible", "is_available") else "false"
    return ColumnGuess("type.boolean", f"an is_/has_/can_ flag: boolean NOT NULL, default {default}",
                       DataType(Kind.BOOLEAN), nullable=False, default=default)


def _document(col: str) -> ColumnGuess:
    return ColumnGuess("type.jsonb", "schemaless settings/profile data: jsonb (indexable with GIN), "
                       "default empty object", DataType(Kind.JSONB), nullable=False, default="'{}'::jsonb")


def _timestamp(col: str) -> ColumnGuess:
    return ColumnGuess("type.timestamptz", "an *_at name is a point in time: timestamptz stores an absolute "
                       "instant (timestamp without time zone silently depends on the session's zone)",
                       DataType(Kind.TIMESTAMPTZ))


def _date(col: str) -> ColumnGuess:
    pii = col in ("date_of_birth", "birth_date", "birthday", "dob")
    return ColumnGuess("type.date", "a calendar date without time of day" + ("; personal data" if pii else ""),
                       DataType(Kind.DATE), pii=pii)


def _email(col: str) -> ColumnGuess:
    return ColumnGuess("type.email", "an e-mail address: varchar(254) (RFC 5321 limit), format checked, "
                       "personal data", DataType(Kind.VARCHAR, length=254), nullable=col != "email",
                       checks=[(f"{col}_format", f"{col} ~* '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'")],
                       pii=True)


def _secret_hash(col: str) -> ColumnGuess:
    return ColumnGuess("type.hash", "a one-way hash (bcrypt/argon2 output): text, required; it is never "
                       "decrypted, so it is hashed rather than encrypted", DataType(Kind.TEXT), nullable=False)


# the name of a person in a role (contact_name, guardian_name, cardholder_name): personal data, like full_name
PERSON_NAME = re.compile(r"(?:[a-z_]+_)?(?:contact|guardian|owner|parent|spouse|customer|patient|member|employee|"
                         r"driver|passenger|guest|tenant|buyer|seller|recipient|sender|cardholder|holder|beneficiary|"
                         r"next_of_kin|maiden|given|family|nick|person|applicant|candidate|student|teacher|"
                         r"client_contact)_name|contact_person")


def _name(col: str) -> ColumnGuess:
    required = col in ("name", "title", "username", "display_name")
    pii = col in ("first_name", "last_name", "full_name", "middle_name", "username", "display_name") or bool(
        PERSON_NAME.fullmatch(col))
    return ColumnGuess("type.name", "a name or title: varchar(200)" + (", required and not blank" if required
                       else "") + ("; personal data" if pii else ""), DataType(Kind.VARCHAR, length=200),
                       nullable=not required, pii=pii,
                       checks=[(f"{col}_not_blank", f"length(btrim({col})) > 0")] if required else [])


def _long_text(col: str) -> ColumnGuess:
    return ColumnGuess("type.text", "free text of unbounded length: text", DataType(Kind.TEXT))


def _status(col: str) -> ColumnGuess:
    return ColumnGuess("type.status", "a status is one of a fixed set of states: text with a CHECK of the "
                       "allowed values (cheaper to change than an enum type), required, defaulting to the "
                       "first state", DataType(Kind.TEXT), nullable=False, status_set=True)


def _rating(col: str) -> ColumnGuess:
    return ColumnGuess("type.rating", "a rating on a 1-5 scale: smallint with a range check",
                       DataType(Kind.SMALLINT), nullable=False,
                       checks=[(f"{col}_range", f"{col} BETWEEN 1 AND 5")])


def _url(col: str) -> ColumnGuess:
    return ColumnGuess("type.url", "a URL: text, must start with http:// or https://", DataType(Kind.TEXT),
                       checks=[(f"{col}_format", f"{col} ~* '^https?://'")])


def _phone(col: str) -> ColumnGuess:
    return ColumnGuess("type.phone", "a phone number: varchar(32), digits with optional +, spaces, dashes "
                       "and parentheses; personal data", DataType(Kind.VARCHAR, length=32),
                       checks=[(f"{col}_format", f"{col} ~ '^[+]?[0-9 ()-]{{6,31}}$'")], pii=True)


def _slug(col: str) -> ColumnGuess:
    return ColumnGuess("type.slug", "a URL slug or code that identifies a row: unique, required, lower-case "
                       "letters, digits and dashes", DataType(Kind.VARCHAR, length=200), nullable=False,
                       unique=True, checks=[(f"{col}_format", f"{col} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'")])


def _sku(col: str) -> ColumnGuess:
    return ColumnGuess("type.code", "a business code (SKU, code, reference) identifies a row: unique, "
                       "required, varchar(64)", DataType(Kind.VARCHAR, length=64), nullable=False, unique=True)


def _country(col: str) -> ColumnGuess:
    return ColumnGuess("type.country", "an ISO 3166-1 alpha-2 country code", DataType(Kind.VARCHAR, length=2),
                       checks=[(f"{col}_iso", f"{col} ~ '^[A-Z]{{2}}$'")])


def _currency(col: str) -> ColumnGuess:
    return ColumnGuess("type.currency", "an ISO 4217 currency code, 'USD' until set",
                       DataType(Kind.VARCHAR, length=3), nullable=False, default="'USD'",
                       checks=[(f"{col}_iso", f"{col} ~ '^[A-Z]{{3}}$'")])


def _ip(col: str) -> ColumnGuess:
    return ColumnGuess("type.inet", "an IP address: inet validates and indexes addresses; personal data",
                       DataType(Kind.INET), pii=True)


def _latitude(col: str) -> ColumnGuess:
    return ColumnGuess("type.coordinate", "a latitude in degrees", DataType(Kind.NUMERIC, precision=9, scale=6),
                       checks=[(f"{col}_range", f"{col} BETWEEN -90 AND 90")])


def _longitude(col: str) -> ColumnGuess:
    return ColumnGuess("type.coordinate", "a longitude in degrees", DataType(Kind.NUMERIC, precision=9, scale=6),
                       checks=[(f"{col}_range", f"{col} BETWEEN -180 AND 180")])


def _percent(col: str) -> ColumnGuess:
    return ColumnGuess("type.percent", "a percentage: numeric(5,2) between 0 and 100",
                       DataType(Kind.NUMERIC, precision=5, scale=2),
                       checks=[(f"{col}_range", f"{col} BETWEEN 0 AND 100")])


def _measurement(col: str) -> ColumnGuess:
    return ColumnGuess("type.measurement", "a measured value: double precision (sensor readings are "
                       "approximate by nature)", DataType(Kind.DOUBLE), nullable=False)


def _integer(col: str) -> ColumnGuess:
    return ColumnGuess("type.integer", "a whole number (age, year, duration in units, version, position)",
                       DataType(Kind.INTEGER), checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _sensitive(col: str) -> ColumnGuess:
    return ColumnGuess("type.sensitive", "sensitive personal or payment data: text, personal data (candidate "
                       "for column encryption)", DataType(Kind.TEXT), pii=True)


def _address(col: str) -> ColumnGuess:
    return ColumnGuess("type.address", "a postal address part: text, personal data", DataType(Kind.TEXT), pii=True)


# --- the lexicon: names no rule above knew, read as a DBA reads them (docs/inference-lexicon.md) ---------
def _flag_more(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.boolean", "a yes/no property (includes_/contains_/requires_/prefers_/"
                       "*_opt_in...): boolean NOT NULL, default false", DataType(Kind.BOOLEAN), nullable=False,
                       default="false")


def _validity_date(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.date", "the bound of a validity period (valid_from/valid_to/*_until/"
                       "effective_*/starts_on/ends_on): a calendar date", DataType(Kind.DATE))


def _instant(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.timestamptz", "a point in time (period start/end, scheduled_for, "
                       "assigned_from/until): timestamptz", DataType(Kind.TIMESTAMPTZ))


def _time_of_day(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.time", "a time of day (*_time, opening hours): time", DataType(Kind.TIME))


def _count(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.count", "a count of people, nights, rooms or units (adults, nights, "
                       "number_of_*, max_*/min_*, capacity, *_year...): integer, never negative",
                       DataType(Kind.INTEGER), checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _rank(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.rank", "a rank or tier (access_level, skill_level, or a *_level described as a "
                       "rank): integer, never negative", DataType(Kind.INTEGER),
                       checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _measured_level(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.level", "a measured level (hemoglobin_level, glucose_level, water_level): numeric, "
                       "a decimal measurement; an integer rank only when the name or description says rank/tier",
                       DataType(Kind.NUMERIC), checks=[(f"{col}_non_negative", f"{col} >= 0")])


RANK_WORDS = re.compile(r"\b(?:rank|ranks|ranked|ranking|tier|tiers|grade|grades|ordinal|from \d+ to \d+|\d+\s*-\s*\d+ scale)\b")


def _ordinal(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.ordinal", "a position in a sequence (line_number, season_number...): integer "
                       "from 1", DataType(Kind.INTEGER), checks=[(f"{col}_positive", f"{col} >= 1")])


def _identifier_number(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.identifier", "an identifier printed on a document (room, seat, policy, "
                       "licence, tracking number...): varchar(64); letters and leading zeros are kept, so "
                       "not a number", DataType(Kind.VARCHAR, length=64))


def _ratio(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.rate", "a rate, ratio, probability or score (commission_rate, *_score): exact "
                       "numeric(9,4) (its range is the business rules' to state)", DataType(Kind.NUMERIC, precision=9, scale=4))


def _money_more(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.money", "an amount of money (tip, deposit, premium, limit, *_value, daily/"
                       "hourly rate...): exact numeric(12,2), never negative", MONEY,
                       checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _unit_measure(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.measure", "a measured quantity with its unit in the name (*_kg, *_km, *_sqm, "
                       "liters, calories...): exact numeric(12,3)", DataType(Kind.NUMERIC, precision=12, scale=3))


def _abv(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.abv", "alcohol by volume (abv, *_abv), a percentage with two decimals: numeric(4,2) "
                       "between 0 and 100", DataType(Kind.NUMERIC, precision=4, scale=2),
                       checks=[(f"{col}_range", f"{col} BETWEEN 0 AND 100")])


def _bitterness(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.ibu", "bitterness in international bitterness units (ibu, *_ibu): a small whole "
                       "number, smallint never negative", DataType(Kind.SMALLINT),
                       checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _gravity(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.gravity", "a specific gravity (gravity, original_gravity, final_gravity, "
                       "specific_gravity: 1.050): numeric(4,3), three decimals, never negative",
                       DataType(Kind.NUMERIC, precision=4, scale=3), checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _money_in_currency(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.money", "an amount with its ISO 4217 currency in the name (deposit_eur, "
                       "price_usd...): exact numeric(12,2), never negative", MONEY,
                       checks=[(f"{col}_non_negative", f"{col} >= 0")])


def _person(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.person", "the name of the person in a role (tester, inspector, judge, tested_by; "
                       "references links a users table instead): varchar(200), personal data", DataType(Kind.VARCHAR, length=200),
                       pii=True)


def _year_bound(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.year", "a calendar year bounding a dating (year_from/year_to): integer, "
                       "negative for years BC, so no sign check", DataType(Kind.INTEGER))


def _week(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.week", "a calendar week (delivery_week, *_week): a date, the first day of the "
                       "week (a week number alone repeats every year)", DataType(Kind.DATE))


def _label(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.label", "a short classifying or descriptive word (type, kind, make, model, "
                       "language, section...): varchar(100)", DataType(Kind.VARCHAR, length=100))


def _handle(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.handle", "a handle, key or domain name: varchar(255)",
                       DataType(Kind.VARCHAR, length=255))


def _long_text_more(col: str) -> ColumnGuess:
    return ColumnGuess("lexicon.text", "free text (abstract, memo, diagnosis, *_address...): text",
                       DataType(Kind.TEXT))




# *_code names that classify a row (many rows share the value), so they are not unique identifiers.
DESCRIPTIVE_CODES = ("language", "locale", "area", "dial", "status", "error", "response", "reason", "region",
                     "timezone", "tax", "postal", "zip", "zoning", "discount", "promo", "product", "account", "country", "currency", "color", "colour", "unit")

RULES: tuple[Rule, ...] = (
    Rule("email", re.compile(r"^(?:email|e_mail|email_address|[a-z_]+_email)$"), _email),
    Rule("hash", re.compile(r"^(?:password_hash|password_digest|[a-z_]+_hash|password)$"), _secret_hash),
    Rule("flag", re.compile(r"^(?:is|has|can|should|allow|allows)_[a-z0-9_]+$"), _flag),
    Rule("timestamp", re.compile(r"^(?:[a-z0-9_]+_at|timestamp|recorded_time|occurred_time)$"), _timestamp),
    Rule("date", re.compile(r"^(?:[a-z0-9_]+_date|date|date_of_birth|birthday|dob|[a-z0-9_]+_on)$"), _date),
    # a quantity with its unit (quantity_kg, quantity_litres) is a measure, not a count of units
    Rule("quantity_measure", re.compile(r"^(?:quantity|qty)_(?:kg|g|grams|kilograms|mg|lb|lbs|oz|l|liters|litres|ml|"
                                        r"m|km|m2|sqm|t|tonnes|tons)$"), lambda col: _unit_measure(col)),
    Rule("quantity", re.compile(r"^(?:quantity|qty|stock|stock_quantity|inventory|inventory_count|[a-z0-9_]+_count"
                                r"|count|quantity_[a-z_]+|[a-z_]+_quantity|units|seats"
                                r"|(?:reorder|restock|stock|inventory|par|safety_stock|min_stock|max_stock)_level)$"),
         _quantity),
    Rule("money", re.compile(r"^(?:price|total|amount|cost|subtotal|tax|fee|fees|balance|salary|discount|"
                             r"revenue|shipping_cost|unit_price|budget|adjustment|[a-z0-9_]+_(?:amount|price|"
                             r"total|cost|fee|balance))$"), _money),
    Rule("document", _names("profile", "preferences", "settings", "metadata", "attributes", "config",
                            "configuration", "options", "payload", "properties", "extra", "data", "specs",
                            "specifications", "context", "details"), _document),
    Rule("status", _names("status", "state", "[a-z_]+_status"), _status),
    Rule("rating", _names("rating", "stars", "score_1_5", "[a-z_]+_rating"), _rating),
    Rule("url", re.compile(r"^(?:url|website|homepage|link|avatar|avatar_url|image|image_url|photo_url|"
                           r"[a-z_]+_url)$"), _url),
    Rule("phone", _names("phone", "phone_number", "mobile", "telephone", "fax", "[a-z_]+_phone"), _phone),
    Rule("slug", _names("slug", "[a-z_]+_slug"), _slug),
    # Country, currency and postal codes describe a row rather than identify it: matched before "code".
    Rule("country", _names("country", "country_code"), _country),
    Rule("currency", _names("currency", "currency_code", "[a-z_]+_currency"), _currency),
    Rule("address", _names("address", "street", "address_line1", "address_line2", "city", "postal_code",
                           "zip", "zip_code", "region", "state_province", "postcode", "post_code",
                           "(?:street|home|postal|mailing|billing|shipping|delivery|residential)_address"), _address),
    Rule("code", _names("sku", "code", "isbn", "barcode", f"(?!(?:{'|'.join(DESCRIPTIVE_CODES)})_code$)[a-z_]+_code",
                        "reference", "order_number", "invoice_number"), _sku),
    Rule("ip", _names("ip", "ip_address", "[a-z_]+_ip"), _ip),
    Rule("latitude", _names("lat", "latitude", "[a-z_]+_latitude", "[a-z_]+_lat"), _latitude),
    Rule("longitude", _names("lng", "lon", "long", "longitude", "[a-z_]+_longitude", "[a-z_]+_lng"), _longitude),
    Rule("percent", _names("percent", "percentage", "[a-z_]+_percent", "[a-z_]+_percentage", "discount_rate",
                           "tax_rate", "[a-z_]+_pct", "pct"), _percent),
    Rule("measurement", _names("value", "reading", "temperature", "humidity", "pressure", "voltage", "weight",
                               "height", "width", "length", "depth", "speed", "measurement", "[a-z_]+_reading"),
         _measurement),
    Rule("integer", _names("age", "year", "version", "position", "sort_order", "priority", "duration_[a-z]+",
                           "[a-z_]+_minutes", "[a-z_]+_seconds", "[a-z_]+_days", "rank", "level", "day_of_week",
                           "weekday", "iso_week"), _integer),
    Rule("name", _names("name", "title", "first_name", "last_name", "full_name", "middle_name", "username",
                        "display_name", "[a-z_]+_name", "(?!job_|position_)[a-z_]+_title", "[a-z_]+_company", "company", "label", "subject", "headline"), _name),
    Rule("sensitive", _names("ssn", "national_id", "passport_number", "tax_id", "passport_id", "social_security_id",
                             "driver_licen[cs]e_id", "payment_info",
                             "card_number", "iban", "bank_account", "medical_history", "diagnosis"), _sensitive),
    Rule("text", _names("description", "body", "content", "notes", "note", "bio", "comment", "comments",
                        "summary", "message", "text", "excerpt", "instructions", "reason"), _long_text),
    # --- the lexicon: names no rule above knew, read as a DBA reads them (docs/inference-lexicon.md) -----
    # *_level: a rank or tier when its name (or description) says so, else a measured level (hemoglobin_level)
    Rule("lexicon_rank", re.compile(r"^(?:(?:access|security|clearance|skill|privilege|risk|severity|urgency|"
                                    r"difficulty|experience|membership|support|service|permission|trust|tier|"
                                    r"nesting|zoom|log|education|authority|escalation|alert|threat|seniority|"
                                    r"proficiency|loyalty|priority|reading|noise_tolerance)_level|level|tier|rank|severity|urgency)$"),
         _rank),
    Rule("lexicon_level", re.compile(r"^[a-z_]+_level$"), _measured_level),
    Rule("lexicon_boolean", re.compile(r"^(?:(?:includes|contains|requires|needs|uses|supports|accepts|prefers|"
                                       r"do_not|was|were|did|must|show|send|auto)_[a-z0-9_]+|[a-z_]+_opt_in|opt_in|"
                                       r"[a-z_]+_required|[a-z_]+_needed|"
                                       r"active|enabled|verified|attended|approved|paid|visible|featured|archived|"
                                       r"cancel_at_period_end|[a-z_]+_flag)$"), _flag_more),
    Rule("lexicon_date", re.compile(r"^(?:valid_from|valid_to|valid_until|valid_thru|effective_from|effective_to|"
                                    r"effective_until|starts_on|ends_on|birth|[a-z_]+_until_date|expiry|"
                                    r"expiration|[a-z_]+_expiry|(?:valid|effective|available)_[a-z_]+|"
                                    r"needed_by|required_by|due_by|deadline|best_before|use_by|sell_by|consume_by|"
                                    r"display_until|expires|expires_on)$"),
         _validity_date),
    Rule("lexicon_year", re.compile(r"^year_(?:from|to|start|end|earliest|latest)$"), _year_bound),
    Rule("lexicon_week", re.compile(r"^(?:(?!(?:day|days)_of_|per_)[a-z_]+_week|week|week_of|week_starting|week_start_date)$"), _week),
    Rule("lexicon_instant", re.compile(r"^(?:(?!year_)[a-z_]+_(?:start|end|from|until)|scheduled_for|starts|ends|"
                                       r"start_time|end_time|[a-z_]+_timestamp)$"), _instant),
    Rule("lexicon_time", re.compile(r"^(?:[a-z_]+_time|opening_hour|closing_hour)$"), _time_of_day),
    Rule("lexicon_ordinal", re.compile(r"^(?:line_number|line_no|line|season_number|episode_number|sequence_number|"
                                       r"sequence|seq|step_number|page_number|round_number|week_number|"
                                       r"queue_position|[a-z_]+_position|[a-z_]+_index|ordinal)$"), _ordinal),
    Rule("lexicon_count", re.compile(r"^(?:adults|children|infants|guests|nights|words|pages|characters|[a-z_]+_nights|party_size|"
                                     r"headcount|number_of_[a-z_]+|num_[a-z_]+|n_[a-z_]+|(?:max|min)_[a-z_]+|"
                                     r"[a-z_]+_capacity|capacity|capacity_[a-z_]+|bedrooms|bathrooms|rooms_count|"
                                     r"floor|floors|storeys|stories|[a-z_]+_year|year_[a-z_]+|"
                                     r"points|[a-z_]+_points|seats_[a-z_]+|units|units_[a-z_]+|attempts|retries|[a-z_]+_days|days|calories|"
                                     r"[a-z_]+_storeys|heart_rate|pulse|pulse_rate|respiratory_rate|"
                                     r"[a-z_]+_px|[a-z_]+_pixels|[a-z_]+_weeks|weeks|[a-z_]+_months|"
                                     r"[a-z_]+_kbps|[a-z_]+_mbps|[a-z_]+_pages|page_count|"
                                     # a plural noun and what happened to them: seeds_sown, goals_scored, eggs_laid
                                     r"(?!(?:terms|rights|conditions|details|settings|permissions|notifications)_)"
                                     r"[a-z]+s_(?:[a-z]+ed|sown|grown|taken|given|won|lost|seen|drawn|born|written|"
                                     r"laid|held|sold|made|kept|caught|shot|hit|found|spent|sent|built|bought)|"
                                     # a plural noun per unit: seeds_per_packet, guests_per_room (per 100: a rate)
                                     r"[a-z]+s_per_[a-z][a-z_]*)$"), _count),
    Rule("lexicon_abv", re.compile(r"^(?:abv|[a-z_]+_abv|abv_[a-z_]+|alcohol_by_volume)$"), _abv),
    Rule("lexicon_ibu", re.compile(r"^(?:ibu|[a-z_]+_ibu|ibu_[a-z_]+)$"), _bitterness),
    Rule("lexicon_gravity", re.compile(r"^(?:gravity|[a-z_]+_gravity|gravity_[a-z_]+)$"), _gravity),
    Rule("lexicon_currency_amount", re.compile(r"^[a-z_]+_(?:eur|usd|gbp|chf|jpy|cny|sek|nok|dkk|pln|czk|huf|ron|"
                                               r"aud|cad|nzd|inr|brl|mxn|zar|sgd|hkd|krw|try)$"), _money_in_currency),
    Rule("lexicon_money", re.compile(r"^(?:tip|tips|deposit|premium|fine|commission|credit|debit|refund|bonus|"
                                     r"payout|wage|rent|fare|toll|surcharge|[a-z_]+_(?:value|limit|paid|revenue|salary|deposit|premium|"
                                     r"budget|tip|charge|wage|rent|payout|refund|fare|toll|surcharge|fine)|price_per_[a-z_]+|cost_per_[a-z_]+|(?:daily|hourly|nightly|weekly|"
                                     r"monthly|annual|yearly)_(?:rate|price|fee))$"), _money_more),
    Rule("lexicon_rate", re.compile(r"^(?:[a-z_]+_rate|rate|ratio|[a-z_]+_ratio|probability|[a-z_]+_probability|"
                                    r"score|[a-z_]+_score|confidence|weight_factor|multiplier|"
                                    r"[a-z0-9_]*per_[0-9]+(?:_[a-z0-9_]+)?|[a-z_]+_per_(?:capita|head|person|"
                                    r"hour|day|week|month|year|minute|second|hectare|acre|km|mile)|[a-z_]+_pct)$"), _ratio),
    Rule("lexicon_measure", re.compile(r"^(?:[a-z_]+_(?:kg|g|grams|gram|kilograms|mg|lb|lbs|oz|ounces|km|kmh|mph|m|"
                                       r"cm|mm|meters|metres|sqm|sqft|m2|ha|hectares|acres|liters|litres|l|ml|cl|"
                                       r"kwh|wh|degrees|celsius|fahrenheit|mb|gb|bytes|c|f|bp|mmhg|kpa|hpa|lux|lx|ppm|knots|kts|nm|nmi|"
                                       r"nautical_miles|miles|ft|feet|inches|psi)|liters|litres|lux|"
                                       r"illuminance|[a-z_]*temperature|"
                                       r"value_numeric|numeric_value|reference_(?:low|high|min|max)|"
                                       r"(?:lower|upper|low|high)_(?:limit|reference|bound)_value|"
                                       r"mileage|distance|area|volume|heading|altitude|elevation)$"), _unit_measure),
    Rule("lexicon_identifier", re.compile(r"^(?:[a-z_]+_(?:number|no|num|iban|plate)|(?:vat|vat_registration|ein|tin|duns|lei|"
                                          r"eori|gst|abn|company_registration|registration|licen[cs]e|external|"
                                          r"provider|stripe|paypal|google|apple|facebook|github|oauth|sso|idp)_id|vin|plate|iban|bic|swift|ean|upc|gtin)$"),
         _identifier_number),
    Rule("lexicon_person", re.compile(r"^(?:(?:head|lead|chief|senior|assistant)_[a-z]+(?:er|or|ist|ian|man|woman)|"
                                      r"brewer|head_brewer|brewmaster|supervisor|foreman|tester|inspector|examiner|technician|operator|surveyor|assessor|judge|"
                                      r"referee|umpire|vet|veterinarian|collector|breeder|handler|trainer|coach|"
                                      r"instructor|recorded_by|tested_by|inspected_by|checked_by|signed_by|"
                                      r"performed_by|collected_by|entered_by|reviewed_by|(?!sort_|split_)[a-z]+(?:ed|en|t)_by|"
                                      r"manager|[a-z]+_manager|supervisor|coordinator|dispatcher)$"), _person),
    Rule("lexicon_handle", re.compile(r"^(?:handle|[a-z_]+_handle|domain|[a-z_]+_domain|hostname|[a-z_]+_key|"
                                      r"key|token_hint|external_id_text|[a-z_]+_reference|[a-z_]+_ref)$"), _handle),
    Rule("lexicon_text", re.compile(r"^(?:abstract|memo|diagnosis|treatment|[a-z_]+_address|address_[a-z0-9_]+|"
                                    r"[a-z_]+_description|[a-z_]+_notes|[a-z_]+_reason|[a-z_]+_text|answer|question|"
                                    r"caption|remarks|feedback|review|terms|story|[a-z_]+_comment|credit_line|provenance|"
                                    r"inscription)$"), _long_text_more),
    Rule("lexicon_label", re.compile(r"^(?:[a-z_]+_type|type|kind|[a-z_]+_kind|make|model|brand_name|breed|species|"
                                     r"author|publisher|language|[a-z_]+_language|locale|nationality|timezone|time_zone|region|"
                                     r"harbour|harbor|airport|[a-z_]+_(?:harbour|harbor|airport)|"
                                     # a sea port by its role (a bare or *_port is a network port number elsewhere)
                                     r"(?:departure|arrival|origin|destination|home|loading|discharge|embarkation|"
                                     r"disembarkation|transit)_port|"
                                     r"specialism|specialisation|specialization|expertise|"
                                     r"district|section|row_label|aisle|room|venue|vehicle|fuel|color|colour|size|"
                                     r"gender|sex|source|method|channel|medium|platform|visibility|metric|unit|"
                                     r"frequency|dosage|variant|flavor|style|format|vendor|supplier|carrier|"
                                     r"county|province|state|suburb|neighbourhood|neighborhood|zone|"
                                     r"station|terminal|gate|door|lane|bay|shelf|bin|slot|grade|"
                                     r"occupation|job_title|position_title|role|title_prefix|salutation|"
                                     r"[a-z_]+_category|[a-z_]+_group|[a-z_]+_class|[a-z_]+_center|[a-z_]+_centre|"
                                     r"[a-z_]+_label|[a-z_]+_tag|[a-z_]+_mode|[a-z_]+_code|outcome|result|condition|course|product|"
                                     # a noun for a label a person types (docs/inference-lexicon.md, "labels")
                                     r"variety|cultivar|stratum|strata|analyte|term|task|field_plot|plot|"
                                     r"[a-z_]+_version|version_label|action_taken|actions_taken|measures_taken|"
                                     r"date_made|dating|era)$"), _label),
)


def guess_column(col: str, description: str | None = None) -> ColumnGuess:
    """The first rule matching ``col``, or the text fallback. A measured ``*_level`` whose description
    calls it a rank or tier (``description``) is an integer rank."""
    if description and RANK_WORDS.search(description.lower()) and re.match(r"^[a-z_]+_level$", col):
        return _rank(col)
    for rule in RULES:
        if rule.pattern.match(col):
            return rule.build(col)
    return ColumnGuess("type.fallback", "no naming rule matched: text is the safe default (set a type in the "
                       "input to override)", DataType(Kind.TEXT))


# Multi-valued attributes (1NF): a list of values becomes rows of a child table or a shared vocabulary.
SHARED_VOCABULARY = frozenset({"tags", "labels", "keywords", "skills", "topics", "interests", "categories"})
CHILD_COLLECTIONS = {
    "images": ("url", "image"), "photos": ("url", "photo"), "pictures": ("url", "picture"),
    "attachments": ("url", "attachment"), "files": ("url", "file"), "documents": ("url", "document"),
    "phones": ("phone", "phone"), "phone_numbers": ("phone", "phone_number"),
    "emails": ("email", "email"), "email_addresses": ("email", "email_address"),
    "addresses": ("address", "address"), "urls": ("url", "url"), "links": ("url", "link"),
    "aliases": ("alias", "alias"),
}

# Free-text categorical attributes that become lookup tables (seed 004: "use lookup tables").
LOOKUP_ATTRIBUTES = frozenset({"category", "subcategory", "brand", "department", "genre", "industry",
                               "specialty", "manufacturer", "unit", "tier", "plan", "priority_level"})

# Role names that mean "a user" when a users table exists (author_id -> users.id).
USER_ROLES = frozenset({"author", "owner", "creator", "assignee", "reporter", "reviewer", "sender", "recipient",
                        "uploader", "editor", "approver", "moderator", "buyer", "seller", "requester"})
# Roles filled in later in a row's life (a task gets its assignee after creation): optional links.
OPTIONAL_ROLES = frozenset({"assignee", "reviewer", "approver", "moderator", "editor"})

# Status vocabularies by table; the first value is the default.
STATUS_VALUES: dict[str, tuple[str, ...]] = {
    "orders": ("pending", "paid", "processing", "shipped", "delivered", "cancelled", "refunded"),
    "payments": ("pending", "authorized", "captured", "failed", "refunded"),
    "transactions": ("pending", "completed", "failed", "reversed"),
    "invoices": ("draft", "open", "paid", "void", "uncollectible"),
    "subscriptions": ("trialing", "active", "past_due", "canceled"),
    "appointments": ("scheduled", "confirmed", "checked_in", "completed", "cancelled", "no_show"),
    "posts": ("draft", "published", "archived"), "articles": ("draft", "published", "archived"),
    "pages": ("draft", "published", "archived"), "comments": ("pending", "approved", "spam", "deleted"),
    "tickets": ("open", "in_progress", "resolved", "closed"), "tasks": ("todo", "in_progress", "done"),
    "shipments": ("pending", "in_transit", "delivered", "returned"),
    "devices": ("active", "inactive", "maintenance", "retired"),
    "users": ("active", "suspended", "deleted"), "accounts": ("active", "suspended", "closed"),
    "reviews": ("pending", "published", "rejected"),
}
DEFAULT_STATUS_VALUES = ("active", "inactive", "archived")

# Entity roles inferred from the table name when the input gives none.
TRANSACTIONAL_NAMES = frozenset({"orders", "order_items", "payments", "transactions", "invoices", "invoice_items",
                                 "refunds", "shipments", "bookings", "reservations", "appointments",
                                 "subscriptions", "charges", "transfers", "line_items"})
APPEND_ONLY_NAMES = frozenset({"events", "logs", "audit_logs", "readings", "measurements", "metrics",
                               "sensor_readings", "telemetry", "page_views", "clicks", "activity_logs"})

PII_HINT_NAMES = frozenset({"email", "phone", "first_name", "last_name", "full_name", "date_of_birth",
                            "address", "ssn", "ip_address", "national_id", "passport_number"})
