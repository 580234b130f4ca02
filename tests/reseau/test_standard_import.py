"""import_lieux: matching by id then by name and commune; every bad row reported, nothing saved."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from poitiers_inclusion.enums import Role
from reseau import standard
from reseau.enums import Typologie
from reseau.models import Lieu

from ..factories import LieuFactory, QuartierFactory

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db


def _run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_lieux", str(path), *args, stdout=out, stderr=err)
        failed = None
    except CommandError as error:
        failed = str(error)
    return out.getvalue(), err.getvalue(), failed


def _file(tmp_path, rows, header=None):
    header = header or standard.FIELDS
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(f'"{row.get(name, "")}"' for name in header))
    path = tmp_path / "lieux.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _good(**overrides):
    row = {
        "id": "asso-1",
        "pivot": "43493312300029",
        "nom": "Association des Essais",
        "commune": "Poitiers",
        "code_postal": "86000",
        "code_insee": "86194",
        "adresse": "1 rue des Essais",
        "date_maj": "2024-04-02",
        "services": "Aide aux démarches administratives|Loisirs et créations numériques",
        "telephone": "+33549000000",
    }
    row.update(overrides)
    return row


def test_it_imports_the_standard_example(tmp_path):
    shutil.copy(DATA / "exemple-valide.csv", tmp_path / "exemple.csv")
    out, err, failed = _run(tmp_path / "exemple.csv")
    assert failed is None, err
    lieu = Lieu.objects.get(identifiant="structure-1")
    assert lieu.nom == "Anonymal" and lieu.commune == "Reims"
    assert lieu.typologie == ["TIERS_LIEUX", "ASSO"]
    assert lieu.courriels == ["contact@laquincaillerie.tl", "responsable@laquincaillerie.tl"]
    assert "Insertion professionnelle via le numérique" in lieu.services
    assert lieu.latitude == pytest.approx(43.52609)
    assert str(lieu.date_maj) == "2024-04-02"


def test_it_matches_by_id_then_by_name_and_commune(tmp_path):
    by_id = LieuFactory(identifiant="asso-1", nom="Ancien nom")
    by_name = LieuFactory(identifiant="chez-nous-2", nom="Maison des Essais", commune="Poitiers")
    path = _file(
        tmp_path,
        [_good(), _good(id="ailleurs-77", nom="maison des essais", adresse="2 rue Neuve")],
    )
    out, err, failed = _run(path)
    assert failed is None, err
    by_id.refresh_from_db()
    by_name.refresh_from_db()
    assert by_id.nom == "Association des Essais"
    assert by_name.adresse == "2 rue Neuve"
    assert by_name.identifiant == "chez-nous-2"
    assert Lieu.objects.count() == 2
    assert "rapproché par nom et commune" in out


def test_it_reads_back_its_own_export_without_duplicates(tmp_path):
    LieuFactory.create_batch(3)
    path = tmp_path / "export.csv"
    path.write_text(standard.csv_text(), encoding="utf-8")
    out, err, failed = _run(path)
    assert failed is None, err
    assert Lieu.objects.count() == 3


def test_it_reports_every_bad_row_and_imports_nothing(tmp_path):
    path = _file(
        tmp_path,
        [
            _good(),
            _good(id="b", code_postal="8600"),
            _good(id="c", services="Cours de cuisine"),
            _good(id="d", nom="", date_maj="02/04/2024"),
            _good(id="asso-1", nom="Doublon"),
        ],
    )
    out, err, failed = _run(path)
    assert failed and "rien n'a été importé" in failed
    assert Lieu.objects.count() == 0
    assert "Ligne 3 : code_postal « 8600 »" in err
    assert "Ligne 4 : services : valeur inconnue du standard « Cours de cuisine »" in err
    assert "Ligne 5 :" in err and "« nom » est obligatoire" in err and "date_maj" in err
    assert "Ligne 6 : l'identifiant « asso-1 » figure déjà ligne 2" in err
    assert "Ligne 2" not in err


def test_it_imports_the_good_rows_with_skip_invalid(tmp_path):
    path = _file(tmp_path, [_good(), _good(id="b", telephone="05 49 00 00")])
    out, err, failed = _run(path, "--skip-invalid")
    assert failed is None
    assert list(Lieu.objects.values_list("identifiant", flat=True)) == ["asso-1"]
    assert "Ligne 3 : telephone « 05 49 00 00 » : numéro de téléphone invalide" in err
    assert "1 ligne(s) ignorée(s)" in out


def test_it_imports_a_number_written_the_french_way_in_the_standard_s_format(tmp_path):
    """The standard asks for +33549000000; 05 49 00 00 00 is the same number, imported in that
    format with a warning for whoever made the file."""
    rows = [
        _good(telephone="05 49 00 00 00"),
        _good(id="b", nom="Médiathèque", telephone="0590 12 34 56"),
    ]
    out, err, failed = _run(_file(tmp_path, rows))
    assert failed is None, err
    assert dict(Lieu.objects.values_list("identifiant", "telephone")) == {
        "asso-1": "+33549000000",
        "b": "+590590123456",
    }
    assert "telephone « 05 49 00 00 00 » : importé au format du standard, +33549000000" in (
        out + err
    )


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("05 49 00", "numéro de téléphone invalide"),
        ("+44 20 7946 0958", "le standard n'accepte qu'un numéro de France ou d'outre-mer"),
    ],
)
def test_it_reports_a_number_the_standard_cannot_hold_with_its_line(tmp_path, typed, reason):
    out, err, failed = _run(_file(tmp_path, [_good(), _good(id="b", telephone=typed)]))
    assert failed and Lieu.objects.count() == 0
    assert f"Ligne 3 : telephone « {typed} » : {reason}" in err


def test_it_refuses_a_file_without_the_required_columns(tmp_path):
    path = _file(tmp_path, [{"id": "x", "nom": "Sans adresse"}], header=["id", "nom"])
    out, err, failed = _run(path)
    assert failed
    assert "Ligne 1 : colonnes obligatoires absentes : pivot, commune, code_postal" in err


# --- Typologies: data·inclusion's whole list; a code outside it is imported with a warning ---

# data·inclusion's typologies of structures (its schema's `typologies_de_structures` list).
DATA_INCLUSION_TYPOLOGIES = (
    "ACI ACIPHC AFPA AI ASE ASSO ASSO_CHOMEUR AVIP Autre BIB CAARUD CADA CAF CAP_EMPLOI CAVA CC "
    "CCAS CCONS CD CDAS CFP CHRS CHU CIAS CIDFF CITMET CMP CMS CPAM CPH CS CSAPA CSC DEETS DEPT "
    "DIPLP E2C EA EATT EI EITI ENM EPCI EPI EPIDE EPN ES ESS ETABL_PRI ETABL_PUB ETAT ETTI EVS "
    "FABLAB FAIS FT GEIQ HUDA LA_POSTE MDE MDEF MDPH MDS MJC ML MQ MSA MSAP MUNI OACAS ODC OF OIL "
    "OPCS PAD PENSION PI PIJ_BIJ PIMMS PJJ PLIE PREF PREVENTION REG RESSOURCERIE RFS RS_FJT SCP "
    "SPIP TIERS_LIEUX UDAF"
).split()


def test_it_knows_every_data_inclusion_typology():
    assert set(DATA_INCLUSION_TYPOLOGIES) <= set(Typologie.values)


def test_it_imports_the_national_typologies_without_a_warning(tmp_path):
    path = _file(tmp_path, [_good(typologie="CAARUD|ESS|PIMMS|FABLAB")])
    out, err, failed = _run(path)
    assert failed is None, err
    assert Lieu.objects.get().typologie == ["CAARUD", "ESS", "PIMMS", "FABLAB"]
    assert "avertissement" not in out


def test_it_imports_an_unknown_typology_with_a_warning(tmp_path):
    path = _file(tmp_path, [_good(typologie="CCAS|NOUVEAU_CODE")])
    out, err, failed = _run(path)
    assert failed is None, err
    assert "Ligne 2 : avertissement : typologie : code inconnu" in out and "NOUVEAU_CODE" in out
    lieu = Lieu.objects.get()
    assert lieu.typologie == ["CCAS", "NOUVEAU_CODE"]
    assert ",CCAS|NOUVEAU_CODE," in standard.csv_text()  # given back as received


def test_it_still_rejects_what_cannot_be_a_typology_code(tmp_path):
    path = _file(tmp_path, [_good(typologie="CCAS|Centre communal d'action sociale")])
    out, err, failed = _run(path)
    assert failed
    assert "Ligne 2 : typologie « Centre communal d'action sociale »" in err
    assert not Lieu.objects.exists()


def test_the_lieu_form_keeps_an_imported_code_outside_the_list(client_for, make_user):
    lieu = LieuFactory(typologie=["CCAS", "NOUVEAU_CODE"], nom="Lieu importé")
    client = client_for(make_user(Role.COORDINATEUR))
    url = reverse("reseau:lieu_edit", args=[lieu.pk])
    form = client.get(url).context["form"]
    html = client.get(url).content.decode()
    assert "NOUVEAU_CODE (code hors liste)" in html
    assert "Autres typologies (liste nationale data·inclusion)" in html
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, "", [], False)}
    data["courriels"] = ""
    data["site_web"] = ""
    data["autres_formations_labels"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    lieu.refresh_from_db()
    assert lieu.typologie == ["CCAS", "NOUVEAU_CODE"]


# --- Quartier: set when it can be told, listed when it cannot ---------------------------------


@pytest.fixture
def poitiers():
    return {
        "centre": QuartierFactory(
            nom="Centre-ville", code="86194-CV", latitude=46.5802, longitude=0.3404
        ),
        "couronneries": QuartierFactory(
            nom="Les Couronneries", code="86194-CO", latitude=46.5934, longitude=0.3629
        ),
        "vouneuil": QuartierFactory(nom="Bourg", code="862890000", commune="Vouneuil-sous-Biard"),
    }


def test_it_sets_the_quartier_of_the_nearest_centre_in_the_commune(tmp_path, poitiers):
    rows = [
        _good(id="pres-du-centre", latitude="46.5810", longitude="0.3420"),
        _good(
            id="aux-couronneries", nom="Maison de quartier", latitude="46.5920", longitude="0.3610"
        ),
    ]
    out, err, failed = _run(_file(tmp_path, rows))
    assert failed is None, err
    assert Lieu.objects.get(identifiant="pres-du-centre").quartier == poitiers["centre"]
    assert Lieu.objects.get(identifiant="aux-couronneries").quartier == poitiers["couronneries"]
    assert "sans quartier" not in out


def test_it_prefers_the_quartier_whose_outline_holds_the_place(tmp_path, poitiers):
    # An outline around a point nearer to the Centre-ville's centre than to its own.
    poitiers["couronneries"].contour = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[0.343, 46.580], [0.346, 46.580], [0.346, 46.583], [0.343, 46.583]]],
        },
    }
    poitiers["couronneries"].save()
    row = _good(id="dans-le-contour", latitude="46.5815", longitude="0.3445")
    out, err, failed = _run(_file(tmp_path, [row]))
    assert failed is None, err
    assert Lieu.objects.get().quartier == poitiers["couronneries"]


def test_it_takes_the_only_quartier_of_a_commune(tmp_path, poitiers):
    row = _good(id="bourg", commune="Vouneuil-sous-Biard", code_postal="86580", code_insee="86289")
    out, err, failed = _run(_file(tmp_path, [row]))
    assert failed is None, err
    assert Lieu.objects.get().quartier == poitiers["vouneuil"]


def test_it_lists_the_lieux_it_could_not_place(tmp_path, poitiers):
    rows = [
        _good(id="sans-coordonnees"),  # two quartiers in Poitiers: no guess
        _good(
            id="a-reims",
            nom="Lieu rémois",
            commune="Reims",
            code_postal="51100",
            code_insee="51454",
            latitude="49.25",
            longitude="4.03",
        ),
        _good(id="loin", nom="Trop loin", latitude="46.70", longitude="0.50"),
    ]
    out, err, failed = _run(_file(tmp_path, rows))
    assert failed is None, err
    assert not Lieu.objects.filter(quartier__isnull=False).exists()
    assert "3 lieu(x) sans quartier" in out
    assert "Ligne 3 : « Lieu rémois » (Reims) sans quartier." in out


def test_it_keeps_the_quartier_chosen_by_the_coordinator(tmp_path, poitiers):
    LieuFactory(identifiant="asso-1", quartier=poitiers["couronneries"])
    row = _good(latitude="46.5802", longitude="0.3404")  # at the Centre-ville's centre
    out, err, failed = _run(_file(tmp_path, [row]))
    assert failed is None, err
    assert Lieu.objects.get().quartier == poitiers["couronneries"]
