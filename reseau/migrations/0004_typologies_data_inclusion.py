"""data·inclusion's whole list of structure typologies. A lieu's typologie column accepts any
well-formed code (the national standard leaves it open: an import may bring codes outside the
list); a structure's typologies are chosen from the list."""

import django.core.validators
from django.db import migrations, models

import poitiers_inclusion.fields
import reseau.models.referentiel


class Migration(migrations.Migration):
    dependencies = [
        ("reseau", "0003_orientation_answer_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lieu",
            name="typologie",
            field=reseau.models.referentiel.TypologieArrayField(
                base_field=models.CharField(
                    max_length=20,
                    validators=[
                        django.core.validators.RegexValidator(
                            "^[A-Za-z0-9_/-]{1,20}$",
                            "Un code de typologie compte au plus 20 lettres, chiffres ou « _ » (ex. CCAS, TIERS_LIEUX).",
                        )
                    ],
                ),
                blank=True,
                default=list,
                size=None,
                verbose_name="typologie",
            ),
        ),
        migrations.AlterField(
            model_name="structure",
            name="typologies",
            field=poitiers_inclusion.fields.ChoiceArrayField(
                base_field=models.CharField(
                    choices=[
                        ("MUNI", "Mairie, services municipaux"),
                        ("CCAS", "Centre communal d'action sociale"),
                        ("CIAS", "Centre intercommunal d'action sociale"),
                        ("BIB", "Bibliothèque, médiathèque"),
                        ("EPN", "Espace public numérique"),
                        ("CS", "Centre social"),
                        ("CSC", "Centre socioculturel"),
                        ("MQ", "Maison de quartier"),
                        ("MJC", "Maison des jeunes et de la culture"),
                        ("ML", "Mission locale"),
                        ("FT", "France Travail"),
                        ("CAF", "Caisse d'allocations familiales"),
                        ("CPAM", "Caisse primaire d'assurance maladie"),
                        ("MSA", "Mutualité sociale agricole"),
                        ("MDS", "Maison départementale des solidarités"),
                        ("MSAP", "France Services"),
                        ("CD", "Conseil départemental"),
                        ("EPCI", "Intercommunalité"),
                        ("PREF", "Préfecture"),
                        ("LA_POSTE", "La Poste"),
                        ("CIDFF", "Centre d'information sur les droits des femmes et des familles"),
                        ("CHRS", "Centre d'hébergement et de réinsertion sociale"),
                        ("ACI", "Atelier chantier d'insertion"),
                        ("EI", "Entreprise d'insertion"),
                        ("PIJ_BIJ", "Point ou bureau information jeunesse"),
                        ("RESSOURCERIE", "Ressourcerie"),
                        ("TIERS_LIEUX", "Tiers-lieu"),
                        ("ASSO", "Association"),
                        ("Autre", "Autre"),
                        ("ACIPHC", "Atelier chantier d'insertion premières heures en chantier"),
                        (
                            "AFPA",
                            "Agence nationale pour la formation professionnelle des adultes (AFPA)",
                        ),
                        ("AI", "Association intermédiaire"),
                        ("ASE", "Aide sociale à l'enfance"),
                        ("ASSO_CHOMEUR", "Association de chômeurs"),
                        ("AVIP", "Crèche à vocation d'insertion professionnelle (AVIP)"),
                        (
                            "CAARUD",
                            "Centre d'accueil et d'accompagnement à la réduction des risques pour usagers de drogues",
                        ),
                        ("CADA", "Centre d'accueil de demandeurs d'asile"),
                        ("CAP_EMPLOI", "Cap emploi"),
                        ("CAVA", "Centre d'adaptation à la vie active"),
                        ("CC", "Communauté de communes"),
                        ("CCONS", "Chambre consulaire (CCI, CMA, chambre d'agriculture)"),
                        ("CDAS", "Centre départemental d'action sociale"),
                        ("CFP", "Centre des finances publiques"),
                        ("CHU", "Centre d'hébergement d'urgence"),
                        ("CITMET", "Cité des métiers"),
                        ("CMP", "Centre médico-psychologique"),
                        ("CMS", "Centre médico-social"),
                        ("CPH", "Centre provisoire d'hébergement"),
                        (
                            "CSAPA",
                            "Centre de soins, d'accompagnement et de prévention en addictologie",
                        ),
                        (
                            "DEETS",
                            "Direction de l'économie, de l'emploi, du travail et des solidarités",
                        ),
                        ("DEPT", "Services sociaux du conseil départemental"),
                        (
                            "DIPLP",
                            "Délégation interministérielle à la prévention et à la lutte contre la pauvreté",
                        ),
                        ("E2C", "École de la deuxième chance"),
                        ("EA", "Entreprise adaptée"),
                        ("EATT", "Entreprise adaptée de travail temporaire"),
                        ("EITI", "Entreprise d'insertion par le travail indépendant"),
                        ("ENM", "Espace numérique mobile"),
                        ("EPI", "Espace public internet"),
                        ("EPIDE", "Établissement pour l'insertion dans l'emploi (EPIDE)"),
                        ("ES", "Épicerie solidaire"),
                        ("ESS", "Entreprise de l'économie sociale et solidaire"),
                        ("ETABL_PRI", "Établissement privé"),
                        ("ETABL_PUB", "Établissement public"),
                        ("ETAT", "Service de l'État"),
                        ("ETTI", "Entreprise de travail temporaire d'insertion"),
                        ("EVS", "Espace de vie sociale"),
                        ("FABLAB", "Fablab, atelier partagé"),
                        ("FAIS", "Fédération d'acteurs de l'insertion et de la solidarité"),
                        ("GEIQ", "Groupement d'employeurs pour l'insertion et la qualification"),
                        ("HUDA", "Hébergement d'urgence pour demandeurs d'asile"),
                        ("MDE", "Maison de l'emploi"),
                        ("MDEF", "Maison de l'emploi et de la formation"),
                        ("MDPH", "Maison départementale des personnes handicapées"),
                        (
                            "OACAS",
                            "Organisme d'accueil communautaire et d'activité solidaire (OACAS)",
                        ),
                        ("ODC", "Organisation délégataire d'un conseil départemental"),
                        ("OF", "Organisme de formation"),
                        ("OIL", "Opérateur d'intermédiation locative"),
                        ("OPCS", "Organisation porteuse de la clause sociale"),
                        ("PAD", "Point d'accès au droit"),
                        ("PE", "Pôle emploi (ancien code, devenu France Travail)"),
                        ("PENSION", "Pension de famille, résidence accueil"),
                        ("PI", "Point information"),
                        ("PIMMS", "Point information médiation multi-services (PIMMS)"),
                        ("PJJ", "Protection judiciaire de la jeunesse"),
                        ("PLIE", "Plan local pour l'insertion et l'emploi"),
                        ("PREVENTION", "Service ou club de prévention"),
                        ("REG", "Région"),
                        ("RFS", "Réseau France Services"),
                        ("RS_FJT", "Résidence sociale, foyer de jeunes travailleurs"),
                        ("SCP", "Services et clubs de prévention"),
                        ("SPIP", "Service pénitentiaire d'insertion et de probation"),
                        ("UDAF", "Union départementale des associations familiales"),
                    ],
                    max_length=20,
                ),
                blank=True,
                default=list,
                size=None,
                verbose_name="typologie",
            ),
        ),
    ]
