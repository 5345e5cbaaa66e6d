"""The sectors every installation starts with: the soft-target categories of the domain, plus
public events and local public transport, each at the basic ATb level. Staff can add more."""

from django.db import migrations

SECTORS = [
    ("shopping_area", "Winkelgebied", "Shopping area"),
    ("football_stadium", "Voetbalstadion", "Football stadium"),
    ("event_grounds", "Evenemententerrein", "Event grounds"),
    ("public_transport", "Openbaar vervoer", "Public transport"),
    ("airport", "Luchthaven", "Airport"),
    ("hospitality", "Horeca", "Hospitality"),
    ("nightlife", "Uitgaansleven", "Nightlife"),
    ("museum", "Museum", "Museum"),
    ("university", "Universiteit", "University"),
    ("religious_institution", "Religieuze instelling", "Religious institution"),
    ("government_building", "Overheidsgebouw", "Government building"),
    ("public_events", "Publieksevenementen", "Public events"),
    ("local_public_transport", "Lokaal openbaar vervoer", "Local public transport"),
]


def forward(apps, schema_editor):
    Sector = apps.get_model("threats", "Sector")
    SectorAlertLevel = apps.get_model("threats", "SectorAlertLevel")
    for code, name, name_en in SECTORS:
        sector, created = Sector.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        if created:
            SectorAlertLevel.objects.create(
                sector=sector, level="basisniveau", rationale="Startniveau"
            )


class Migration(migrations.Migration):
    dependencies = [("threats", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
