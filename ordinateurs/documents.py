"""The workshop's documents as PDF files: erasure certificates (one device, one batch), the
hand-over receipt, the donation attestation (the data of cerfa 2041-MEC-SD) and a donor's yearly
impact report, plus the A4 sheet of device labels.

Each builder takes the context its HTML page is rendered with (the views compute the figures
once) and returns the PDF's bytes; the wording is the printed page's. No household is named:
the documents say what the pages say.
"""

from django.conf import settings
from django.utils import formats, timezone
from fpdf import FPDF

from poitiers_inclusion.pdf import FAMILY, FONTS, Document, date_fr, qr_png

ERASURE_STATEMENT = (
    "Nous certifions que toutes les données des précédents utilisateurs de ces appareils ont été "
    "effacées : chacun des supports de stockage ci-dessus a été effacé avec succès par la méthode "
    "indiquée, selon les niveaux définis par les lignes directrices NIST SP 800-88 rév. 1 (Clear : "
    "réécriture ; Purge : effacement sécurisé par le micrologiciel ; Destroy : destruction "
    "physique), comme le requiert le décret n° 2022-190 du 17 février 2022 pour un produit "
    "reconditionné. Les rapports des outils sont archivés ; leur empreinte SHA-256 permet de "
    "vérifier qu'ils n'ont pas été modifiés."
)


def pluralize(count, singular: str, plural: str) -> str:
    return f"{count} {singular if count in (0, 1) else plural}"


def _datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "d/m/Y à H\\hi")


def _device_facts(ordinateur) -> list:
    return [
        ("Numéro d'inventaire", ordinateur.numero),
        ("Type", ordinateur.get_type_display()),
        ("Marque et modèle", f"{ordinateur.marque or '—'} {ordinateur.modele}".strip()),
        ("Numéro de série", ordinateur.numero_serie or "non relevé"),
    ]


def _erasure_lines(doc: Document, lines):
    for n, line in enumerate(lines, 1):
        storage, erasure = line["stockage"], line["effacement"]
        capacity = f" de {storage.capacite_go} Go" if storage.capacite_go else ""
        doc.heading(
            f"{line['ordinateur'].numero} — support {n} : {storage.get_type_display()}{capacity}"
        )
        doc.facts(
            [
                ("Numéro de série du support", storage.numero_serie or "non relevé"),
                (
                    "Méthode",
                    f"{erasure.get_methode_display()} — niveau NIST SP 800-88 : {line['nist']}",
                ),
                ("Outil et version", f"{erasure.outil} {erasure.version_outil}".strip()),
                ("Nombre de passes", erasure.passes or None),
                ("Résultat", erasure.get_resultat_display()),
                ("Date", _datetime(erasure.done_at)),
                ("Opérateur", line["operateur"]),
            ]
        )
        if erasure.preuve_sha256:
            doc.fingerprint("Empreinte SHA-256 du rapport de l'outil", erasure.preuve_sha256)
        else:
            doc.paragraph("Rapport de l'outil : aucun rapport électronique joint.")


def _erasure_signatures(doc: Document, operators, today):
    city = settings.CITY_NAME
    doc.signatures(
        "L'opérateur ou les opérateurs\n" + ", ".join(operators) + "\nSignature :",
        f"Pour la Ville de {city}\nNom et fonction :\n"
        f"Fait à {city}, le {today:%d/%m/%Y}.\nSignature et cachet :",
    )


def certificate(context) -> bytes:
    """The erasure certificate of one device (certificat_effacement's context)."""
    ordinateur, today = context["ordinateur"], context["today"]
    doc = Document(
        title="Certificat d'effacement des données",
        number=f"CE-{ordinateur.numero}",
        issued_on=today,
    )
    doc.heading("Appareil")
    facts = _device_facts(ordinateur)
    if ordinateur.don_id:
        don = ordinateur.don
        facts.append(("Provenance", f"don de {don.donateur} du {don.offered_on:%d/%m/%Y}"))
    doc.facts(facts)
    doc.heading(f"Supports de stockage effacés ({len(context['lines'])})")
    _erasure_lines(doc, context["lines"])
    doc.paragraph(ERASURE_STATEMENT)
    _erasure_signatures(doc, context["operators"], today)
    return doc.bytes()


def batch_certificates(context) -> bytes:
    """Every device of a donation in one certificate (certificats_don's context)."""
    don, today = context["don"], context["today"]
    doc = Document(
        title="Certificat d'effacement des données d'un don",
        number=f"CE-DON-{don.pk}",
        issued_on=today,
    )
    doc.facts(
        [
            ("Donateur", str(don.donateur)),
            ("Don", f"n° {don.pk} du {don.offered_on:%d/%m/%Y}"),
            ("Appareils certifiés", f"{context['certified']} sur {len(context['devices'])}"),
        ]
    )
    _erasure_lines(doc, context["lines"])
    for title, devices in (
        ("Appareils non réemployés (recyclés par la filière DEEE)", context["not_reused"]),
        ("Appareils sans support de stockage", context["no_storage"]),
        ("Appareils encore à l'atelier (non certifiés à ce jour)", context["pending"]),
    ):
        if devices:
            doc.heading(title)
            doc.paragraph(", ".join(o.numero for o in devices))
    doc.paragraph(ERASURE_STATEMENT)
    _erasure_signatures(doc, context["operators"], today)
    return doc.bytes()


def _check_facts(check) -> list:
    """What the functional check covered, and what did not apply to this kind of device."""
    if not check:
        return []
    facts = [("Fonctions vérifiées", " ; ".join(check.working) or None)]
    if check.not_applicable:
        facts.append(("Sans objet", " ; ".join(check.not_applicable)))
    return facts


def receipt(context) -> bytes:
    """The hand-over receipt (recu_remise's context): a device, a household's code, no name."""
    attribution, ordinateur, foyer = (
        context["attribution"],
        context["ordinateur"],
        context["foyer"],
    )
    doc = Document(
        title="Reçu de remise d'un ordinateur",
        number=f"RR-{attribution.pk}",
        issued_on=timezone.localdate(attribution.handed_over_at),
    )
    doc.paragraph(f"Programme Ordinateurs solidaires de la Ville de {settings.CITY_NAME}.")
    doc.heading("L'ordinateur")
    storages = " ; ".join(
        s.get_type_display() + (f" {s.capacite_go} Go" if s.capacite_go else "")
        for s in context["stockages"]
    )
    check = context["check"]
    doc.facts(
        _device_facts(ordinateur)
        + [
            ("Processeur", ordinateur.processeur or None),
            ("Mémoire vive", f"{ordinateur.memoire_go} Go" if ordinateur.memoire_go else "—"),
            ("Stockage", storages or "—"),
            ("Système installé", ordinateur.systeme or None),
            (
                "Effacement des données",
                "toutes les données des précédents utilisateurs ont été effacées, effacement "
                f"achevé le {timezone.localtime(context['erased_on']):%d/%m/%Y}"
                if context["erased_on"]
                else "—",
            ),
            (
                "Contrôle de fonctionnement",
                f"toutes les fonctions ont été vérifiées le "
                f"{timezone.localtime(check.done_at):%d/%m/%Y}"
                if check
                else "—",
            ),
        ]
        + _check_facts(check)
    )
    doc.heading("La remise")
    handed = f"{timezone.localtime(attribution.handed_over_at):%d/%m/%Y}"
    if attribution.ceremonie_id:
        ceremony = attribution.ceremonie
        handed += f", lors de la cérémonie « {ceremony.titre} » ({ceremony.lieu.nom})"
    doc.facts([("Foyer", foyer.code), ("Orienté par", foyer.structure.nom), ("Remis le", handed)])
    doc.heading("Bon usage et garantie")
    doc.paragraph(
        "Cet ordinateur reconditionné est donné au foyer, qui en devient propriétaire. "
        "Gardez-le au sec, éteignez-le avant de le transporter et installez les mises à jour "
        "proposées. En cas de panne dans les six mois, rapportez-le avec ce reçu au programme "
        "Ordinateurs solidaires ou à la structure qui vous accompagne : il sera examiné et, si "
        "possible, réparé ou remplacé. Pour apprendre à vous en servir, les ateliers et "
        "permanences numériques de la Ville sont gratuits."
    )
    doc.signatures(
        "Pour le foyer\nReçu l'ordinateur ci-dessus en état de marche.\nDate et signature :",
        f"Pour la Ville de {settings.CITY_NAME}\nDate, signature et cachet :",
    )
    return doc.bytes()


def attestation(context) -> bytes:
    """The donation attestation (don_attestation's context): what the finance department
    needs for the tax receipt, cerfa n° 2041-MEC-SD (gifts of companies, art. 238 bis CGI)."""
    don, donor, today = context["don"], context["donateur"], context["today"]
    city = settings.CITY_NAME
    doc = Document(title="Attestation de don en nature", number=f"AD-{don.pk}", issued_on=today)
    doc.paragraph(
        f"Ville de {city} — programme d'inclusion numérique « Ordinateurs solidaires ». "
        "Données utiles au reçu fiscal, formulaire cerfa n° 2041-MEC-SD (dons des entreprises, "
        "article 238 bis du code général des impôts)."
    )
    doc.heading("Bénéficiaire du don")
    doc.facts(
        [
            ("Organisme", f"Ville de {city}"),
            (
                "Programme",
                "Ordinateurs solidaires : reconditionnement d'ordinateurs remis à des foyers "
                "qui en sont dépourvus",
            ),
        ]
    )
    address = ", ".join(
        part for part in (donor.adresse, f"{donor.code_postal} {donor.commune}".strip()) if part
    )
    doc.heading("Donateur")
    doc.facts(
        [
            ("Dénomination", donor.nom),
            ("SIRET", donor.siret or "non renseigné — à demander au donateur"),
            ("Adresse", address or "non renseignée — à demander au donateur"),
        ]
    )
    detail = " ; ".join(f"{n} × {label.lower()}" for label, n in context["by_type"])
    doc.heading("Don")
    doc.facts(
        [
            ("Date du don", f"{date_fr(don.collected_on)} (date de la collecte)"),
            ("Nature", "Don en nature : matériel informatique"),
            ("Quantité reçue", pluralize(don.nb_recus, "appareil", "appareils")),
            ("Détail", f"{detail} (appareils enregistrés à l'atelier)" if detail else None),
            (
                "Poids",
                f"{formats.localize(don.poids_kg)} kg" if don.poids_kg is not None else "non pesé",
            ),
            (
                "Confirmation du donateur",
                f"quantités confirmées par le donateur le {date_fr(don.confirmed_at)}"
                if don.confirmed_at
                else "en attente : le donateur n'a pas encore confirmé les quantités",
            ),
            ("Valeur", "à déterminer par le service financier"),
        ]
    )
    doc.paragraph(
        "Les données enregistrées sur les appareils sont effacées selon la norme NIST SP 800-88 ; "
        "un certificat d'effacement est établi pour chaque appareil."
    )
    doc.signatures(
        f"Pour la Ville de {city},\nle service d'inclusion numérique",
        "Visa du service financier",
    )
    return doc.bytes()


def impact_report(context) -> bytes:
    """A donor's year (donateur_bilan's context): counts only, households by quartier."""
    donor, report = context["donateur"], context["report"]
    year = report["year"]
    doc = Document(
        title=f"Bilan {year} de vos dons",
        number=f"BI-{donor.pk}-{year}",
        issued_on=context["today"],
    )
    doc.paragraph(
        f"{donor.nom} — Ordinateurs solidaires, programme d'inclusion numérique de la Ville de "
        f"{settings.CITY_NAME}.",
        bold=True,
    )
    doc.paragraph(
        f"Merci ! Voici ce que sont devenus en {year} les appareils que vous avez donnés."
    )
    doc.heading(f"Vos appareils en {year}")
    doc.facts(
        [
            ("Reçus à l'atelier", report["recus"]),
            ("Reconditionnés", report["reconditionnes"]),
            ("Remis à un foyer", report["remis"]),
            ("Non réemployables", report["non_reemployables"]),
            ("Démantelés ou recyclés (DEEE)", report["recycles"]),
        ]
    )
    if report["dons_collectes"]:
        weight = (
            f", {formats.localize(report['poids_kg'])} kg de matériel"
            if report["poids_kg"] is not None
            else ""
        )
        doc.paragraph(
            pluralize(report["dons_collectes"], "collecte", "collectes") + f" dans l'année{weight}."
        )
    doc.heading("Les foyers équipés")
    doc.paragraph(
        pluralize(report["foyers_equipes"], "foyer équipé", "foyers équipés")
        + f" grâce à vos dons en {year}."
    )
    if report["quartiers"]:
        doc.table(
            ["Quartier", "Foyers"],
            [
                (q["nom"] + (" (quartier prioritaire)" if q["qpv"] else ""), q["foyers"])
                for q in report["quartiers"]
            ],
            widths=(4, 1),
        )
    if report["temoignages"]:
        doc.heading("Ils en parlent")
        for t in report["temoignages"]:
            doc.paragraph(f"« {t.texte} »")
            doc.paragraph(
                f"— {t.auteur}, {t.ceremonie.titre.lower()} du {date_fr(t.ceremonie.date)}"
            )
    return doc.bytes()


# --- Labels --------------------------------------------------------------------------------

# Avery L7160 / Herma 4677 and their equivalents: 21 labels of 63.5 × 38.1 mm per A4 sheet,
# 3 columns, 7 rows; the commonest sheet in French office supplies.
LABEL_SHEET = "Avery L7160 (21 étiquettes de 63,5 × 38,1 mm par feuille A4)"
LABEL_W, LABEL_H = 63.5, 38.1
LABEL_COLUMNS, LABEL_ROWS = 3, 7
LABEL_LEFT, LABEL_TOP, LABEL_GAP = 7.2, 15.1, 2.5
QR_MM = 26


def labels(devices, url_of) -> bytes:
    """A4 sheets of labels, one per device: its asset number in large type, its kind and
    model, and a QR code of `url_of(device)` (the device's page: a technician who scans it
    signs in and lands on it)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title("Étiquettes des appareils")
    pdf.set_author(f"Ville de {settings.CITY_NAME}")
    pdf.set_lang("fr-FR")
    per_sheet = LABEL_COLUMNS * LABEL_ROWS
    for n, device in enumerate(devices):
        if n % per_sheet == 0:
            pdf.add_page()
        column, row = (n % per_sheet) % LABEL_COLUMNS, (n % per_sheet) // LABEL_COLUMNS
        x = LABEL_LEFT + column * (LABEL_W + LABEL_GAP)
        y = LABEL_TOP + row * LABEL_H
        url = url_of(device)
        pdf.set_xy(x + 2, y + 2.5)
        pdf.set_font(FAMILY, "B", 13)
        pdf.cell(LABEL_W - 4, 6, device.numero, align="C")
        pdf.image(qr_png(url), x=x + 2, y=y + 9.5, w=QR_MM, h=QR_MM, link=url)
        text_x, text_w = x + QR_MM + 4, LABEL_W - QR_MM - 6
        model = f"{device.marque} {device.modele}".strip()
        pdf.set_xy(text_x, y + 10.5)
        pdf.set_font(FAMILY, "", 7.5)
        pdf.multi_cell(text_w, 3.4, f"{device.get_type_display()}\n{model}"[:90], align="L")
        pdf.set_xy(text_x, y + LABEL_H - 9)
        pdf.set_font(FAMILY, "", 6.5)
        pdf.multi_cell(text_w, 3, f"Ordinateurs solidaires\n{settings.CITY_NAME}", align="L")
    if not devices:
        pdf.add_page()
    return bytes(pdf.output())
