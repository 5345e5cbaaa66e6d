"""Example bodies for the OpenAPI schema: an alert about the ArenA of the demo data."""

from ppsportal.api.examples import ARENA, ARENA_OPERATOR, NCTV, SHARED_UNDER_ARENA, STADIUMS, STAFF

ALERT_ID = "6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c"
PREVIOUS_ID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8c"

ALERT_CREATE = {
    "headline": "Increased threat against football stadiums",
    "description": "Concrete indications of an attack on a stadium during a match this weekend.",
    "instruction": "Scale up to the high-threat scenario: bag checks at every gate.",
    "atb_level": "matige_dreiging",
    "tlp": "amber",
    "kind": "actual",
    "sectors": ["football_stadium"],
    "regions": ["Amsterdam-Amstelland"],
    "area_description": "Amsterdam Zuidoost",
    "area_polygon": "52.31,4.93 52.32,4.95 52.30,4.96 52.31,4.93",
    "partnerships": [],
    "organisations": [],
    "raises_sectors": ["football_stadium"],
    "expires_at": "2026-12-01T23:59:00+01:00",
}

_COMMON = {
    "id": ALERT_ID,
    "version": 2,
    "previous": PREVIOUS_ID,
    "headline": ALERT_CREATE["headline"],
    "description": ALERT_CREATE["description"],
    "instruction": ALERT_CREATE["instruction"],
    "atb_level": "matige_dreiging",
    "atb_level_label": "Moderate threat",
    "own_authority_level": None,
    "tlp": "amber",
    "tlp_label": "TLP:AMBER",
    "kind": "actual",
    "kind_label": "Actual",
    "status": "published",
    "status_label": "Published",
    "urgency": "Expected",
    "severity": "Severe",
    "certainty": "Possible",
    "expires_at": ALERT_CREATE["expires_at"],
    "ack_deadline_minutes": 60,
    "ack_deadline": "2026-11-30T09:15:00+01:00",
    "area_description": ALERT_CREATE["area_description"],
    "area_polygon": ALERT_CREATE["area_polygon"],
    "sender": NCTV,
    "created_at": "2026-11-30T07:58:00+01:00",
    "approved_at": "2026-11-30T08:10:00+01:00",
    "published_at": "2026-11-30T08:15:00+01:00",
    "ended_at": None,
}
ALERT_FOR_PARTNER = {
    **_COMMON,
    "audience": {
        "sectors": [STADIUMS],
        "regions": ["Amsterdam-Amstelland"],
        "partnerships": [ARENA],
        "organisations": [],
    },
    "my_acknowledgement": {
        "id": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
        "organisation": ARENA_OPERATOR,
        "by": {"username": "arena-operator", "full_name": "Jan Jansen"},
        "note": "Bag checks at every gate from 12:00.",
        "measures_taken": [{"code": "bag_checks", "label": "Bag checks"}],
        "at": "2026-11-30T08:31:00+01:00",
    },
    "author": None,
    "approver": None,
    "counts": None,
    "shared_under": SHARED_UNDER_ARENA,  # the covenant that carries this AMBER alert to you
}
ALERT = {
    **_COMMON,
    "audience": {
        "sectors": [STADIUMS],
        "regions": ["Amsterdam-Amstelland"],
        "partnerships": [ARENA],
        "organisations": [],
    },
    "my_acknowledgement": None,
    "author": STAFF,
    "approver": {"username": "nctv-duty", "full_name": "Ahmed El Amrani"},
    "counts": {
        "recipients": 4,
        "delivered": 11,
        "pending": 0,
        "failed": 1,
        "acknowledged": 3,
    },
    "shared_under": None,  # NCTV staff read it as its owner
}
DRAFT = {
    **ALERT,
    "version": 1,
    "previous": None,
    "status": "draft",
    "status_label": "Draft",
    "approver": None,
    "approved_at": None,
    "published_at": None,
    "ack_deadline": None,
    "counts": {"recipients": 0, "delivered": 0, "pending": 0, "failed": 0, "acknowledged": 0},
}

ACKNOWLEDGE = {"note": "Bag checks at every gate from 12:00.", "measures_taken": ["bag_checks"]}
ACKNOWLEDGEMENT = ALERT_FOR_PARTNER["my_acknowledgement"]

AUDIENCE_PREVIEW = {
    "organisations": 4,
    "users": 11,
    "channels": {"in_app": 11, "email": 9, "sms": 2, "webhook": 1},
    "deliveries": 23,
    "audience_before_entitlement": 6,
    "excluded_not_entitled": 2,
    "organisation_names": ["Johan Cruijff ArenA", "Stadion Feijenoord"],
    "tlp": "amber",
}

CAP = f"""<?xml version='1.0' encoding='utf-8'?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>urn:uuid:{ALERT_ID}</identifier>
  <sender>nctv@pps-portal.example</sender>
  <sent>2026-11-30T08:15:00+01:00</sent>
  <status>Actual</status>
  <msgType>Update</msgType>
  <scope>Restricted</scope>
  <restriction>TLP:AMBER</restriction>
  <references>nctv@pps-portal.example,urn:uuid:{PREVIOUS_ID},2026-11-29T18:00:00+01:00</references>
  <info>
    <language>nl-NL</language>
    <category>Security</category>
    <event>Matige dreiging</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Possible</certainty>
    <expires>2026-12-01T23:59:00+01:00</expires>
    <senderName>NCTV</senderName>
    <headline>Verhoogde dreiging tegen voetbalstadions</headline>
    <description>Concrete aanwijzingen voor een aanslag op een stadion.</description>
    <instruction>Schaal op naar het scenario hoge dreiging.</instruction>
    <web>https://portal.example.nl/alerts/{ALERT_ID}/</web>
    <parameter><valueName>ATB_LEVEL</valueName><value>matige_dreiging</value></parameter>
    <parameter><valueName>TLP</valueName><value>amber</value></parameter>
    <area>
      <areaDesc>Amsterdam Zuidoost</areaDesc>
      <polygon>52.31,4.93 52.32,4.95 52.3,4.96 52.31,4.93</polygon>
    </area>
  </info>
</alert>
"""

ATOM = f"""<?xml version='1.0' encoding='utf-8'?>
<atom:feed xmlns:atom="http://www.w3.org/2005/Atom" xml:lang="nl">
  <atom:title>Alerts in het PPS Portaal</atom:title>
  <atom:id>https://portal.example.nl/api/v1/alerts/feed/</atom:id>
  <atom:link rel="self" href="https://portal.example.nl/api/v1/alerts/feed/"
    type="application/atom+xml"/>
  <atom:link rel="alternate" href="https://portal.example.nl/alerts/" type="text/html"/>
  <atom:updated>2026-11-30T08:15:00+01:00</atom:updated>
  <atom:author><atom:name>nctv@pps-portal.example</atom:name></atom:author>
  <atom:entry>
    <atom:id>urn:uuid:{ALERT_ID}</atom:id>
    <atom:title>Verhoogde dreiging tegen voetbalstadions</atom:title>
    <atom:published>2026-11-30T08:15:00+01:00</atom:published>
    <atom:updated>2026-11-30T08:15:00+01:00</atom:updated>
    <atom:author><atom:name>NCTV</atom:name></atom:author>
    <atom:link rel="alternate" type="application/cap+xml"
      href="https://portal.example.nl/api/v1/alerts/{ALERT_ID}/cap/"/>
    <atom:link rel="related" type="text/html"
      href="https://portal.example.nl/alerts/{ALERT_ID}/"/>
    <atom:category term="Matige dreiging"/>
    <atom:category term="TLP:AMBER"/>
    <atom:category term="Gepubliceerd"/>
    <atom:summary>Concrete aanwijzingen voor een aanslag op een stadion.</atom:summary>
    <atom:content type="application/cap+xml">
      <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
        <identifier>urn:uuid:{ALERT_ID}</identifier>
        <!-- … the CAP 1.2 message, as GET …/cap/ answers it … -->
      </alert>
    </atom:content>
  </atom:entry>
</atom:feed>
"""

INBOX_ENTRY = {
    "id": "8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e",
    "alert": {
        "id": ALERT_ID,
        "version": 2,
        "headline": ALERT_CREATE["headline"],
        "atb_level": "matige_dreiging",
        "atb_level_label": "Moderate threat",
        "own_authority_level": None,
        "tlp": "amber",
        "tlp_label": "TLP:AMBER",
        "kind": "actual",
        "kind_label": "Actual",
        "status": "published",
        "status_label": "Published",
        "shared_under": SHARED_UNDER_ARENA,
        "published_at": "2026-11-30T08:15:00+01:00",
    },
    "sent_at": "2026-11-30T08:15:02+01:00",
    "read_at": None,
}

PREFERENCES = [
    {
        "channel": "in_app",
        "label": "In the portal",
        "enabled": True,
        "source": "default",
        "address": "",
    },
    {
        "channel": "email",
        "label": "Email",
        "enabled": False,
        "source": "organisation",
        "address": "",
    },
    {
        "channel": "sms",
        "label": "SMS",
        "enabled": True,
        "source": "user",
        "address": "+31612345678",
    },
]
PREFERENCE_SMS = PREFERENCES[2]
ORGANISATION_DEFAULTS = [
    {"channel": "in_app", "label": "In the portal", "enabled": True, "source": "default"},
    {"channel": "email", "label": "Email", "enabled": False, "source": "organisation"},
    {"channel": "sms", "label": "SMS", "enabled": False, "source": "default"},
]

WEBHOOK = {
    "id": "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
    "organisation": ARENA_OPERATOR,
    "url": "https://soc.arena.example/hooks/pps",
    "active": True,
    "consecutive_failures": 0,
    "disabled_reason": "",
    "created_at": "2026-11-02T14:00:00+01:00",
}
WEBHOOK_WITH_SECRET = {**WEBHOOK, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}

STATUS_REPORT_REQUEST = {"status": "measures_in_place", "note": "Extra stewards at gates A-D."}
STATUS_REPORT = {
    "id": "6f1c2a8e-0b7d-4c55-9a51-3f4e2d1c0b9a",
    "organisation": ACKNOWLEDGEMENT["organisation"],
    "by": ACKNOWLEDGEMENT["by"],
    "status": "measures_in_place",
    "status_label": "Measures in place",
    "note": "Extra stewards at gates A-D.",
    "first_at": "2026-05-14T10:20:00+02:00",
    "at": "2026-05-14T10:45:00+02:00",
}
