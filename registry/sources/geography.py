"""Places as the European sources write them: country names (English) and NUTS 2021 codes of
France, turned into ISO country codes, régions and départements of the directory."""

# NUTS 2 of France (2021) → its départements, in the order of their NUTS 3 codes (FR101 is the
# first, Paris; FRK28 the eighth of Rhône-Alpes, Haute-Savoie).
NUTS2_DEPARTEMENTS: dict[str, tuple[str, ...]] = {
    "FR10": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "FRB0": ("18", "28", "36", "37", "41", "45"),
    "FRC1": ("21", "58", "71", "89"),
    "FRC2": ("25", "39", "70", "90"),
    "FRD1": ("14", "50", "61"),
    "FRD2": ("27", "76"),
    "FRE1": ("59", "62"),
    "FRE2": ("02", "60", "80"),
    "FRF1": ("67", "68"),
    "FRF2": ("08", "10", "51", "52"),
    "FRF3": ("54", "55", "57", "88"),
    "FRG0": ("44", "49", "53", "72", "85"),
    "FRH0": ("22", "29", "35", "56"),
    "FRI1": ("24", "33", "40", "47", "64"),
    "FRI2": ("19", "23", "87"),
    "FRI3": ("16", "17", "79", "86"),
    "FRJ1": ("11", "30", "34", "48", "66"),
    "FRJ2": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "FRK1": ("03", "15", "43", "63"),
    "FRK2": ("01", "07", "26", "38", "42", "69", "73", "74"),
    "FRL0": ("04", "05", "06", "13", "83", "84"),
    "FRM0": ("2A", "2B"),
    "FRY1": ("971",),
    "FRY2": ("972",),
    "FRY3": ("973",),
    "FRY4": ("974",),
    "FRY5": ("976",),
}

# NUTS 1 (or 2, overseas) → INSEE code of the région.
NUTS_REGIONS = {
    "FR1": "11",
    "FRB": "24",
    "FRC": "27",
    "FRD": "28",
    "FRE": "32",
    "FRF": "44",
    "FRG": "52",
    "FRH": "53",
    "FRI": "75",
    "FRJ": "76",
    "FRK": "84",
    "FRL": "93",
    "FRM": "94",
    "FRY1": "01",
    "FRY2": "02",
    "FRY3": "03",
    "FRY4": "04",
    "FRY5": "06",
}


def nuts_places(code: str) -> tuple[tuple[str, ...], str]:
    """(départements, région) of a French NUTS code; ((), "") for « FR », unknown or foreign."""
    code = (code or "").strip().upper()
    if not code.startswith("FR") or len(code) < 3:
        return (), ""
    region = NUTS_REGIONS.get(code[:4]) or NUTS_REGIONS.get(code[:3], "")
    if len(code) == 3:
        departements = tuple(
            dep for nuts2, deps in NUTS2_DEPARTEMENTS.items() if nuts2[:3] == code for dep in deps
        )
        return departements, region
    departements = NUTS2_DEPARTEMENTS.get(code[:4], ())
    if len(code) >= 5 and departements:
        index = int(code[4:]) - 1 if code[4:].isdigit() else -1
        if 0 <= index < len(departements):
            return (departements[index],), region
    return departements, region


# Country names of the PSTW (English), → ISO 3166-1 alpha-2 ("EU": the European Union).
COUNTRIES = {
    "albania": "AL",
    "andorra": "AD",
    "austria": "AT",
    "belgium": "BE",
    "bosnia and herzegovina": "BA",
    "bulgaria": "BG",
    "croatia": "HR",
    "cyprus": "CY",
    "czechia": "CZ",
    "czech republic": "CZ",
    "denmark": "DK",
    "estonia": "EE",
    "european union": "EU",
    "finland": "FI",
    "france": "FR",
    "georgia": "GE",
    "germany": "DE",
    "greece": "GR",
    "hungary": "HU",
    "iceland": "IS",
    "ireland": "IE",
    "italy": "IT",
    "latvia": "LV",
    "liechtenstein": "LI",
    "lithuania": "LT",
    "luxembourg": "LU",
    "malta": "MT",
    "moldova": "MD",
    "montenegro": "ME",
    "netherlands": "NL",
    "north macedonia": "MK",
    "norway": "NO",
    "poland": "PL",
    "portugal": "PT",
    "romania": "RO",
    "san marino": "SM",
    "serbia": "RS",
    "slovakia": "SK",
    "slovenia": "SI",
    "spain": "ES",
    "sweden": "SE",
    "switzerland": "CH",
    "türkiye": "TR",
    "turkey": "TR",
    "ukraine": "UA",
    "united kingdom": "GB",
    "vatican city": "VA",
}


def country_code(name: str) -> str:
    return COUNTRIES.get(" ".join((name or "").split()).lower(), "")


# The countries' names in French, for the pages.
COUNTRY_NAMES = {
    "AD": "Andorre",
    "AL": "Albanie",
    "AT": "Autriche",
    "BA": "Bosnie-Herzégovine",
    "BE": "Belgique",
    "BG": "Bulgarie",
    "CH": "Suisse",
    "CY": "Chypre",
    "CZ": "Tchéquie",
    "DE": "Allemagne",
    "DK": "Danemark",
    "EE": "Estonie",
    "ES": "Espagne",
    "EU": "Union européenne",
    "FI": "Finlande",
    "FR": "France",
    "GB": "Royaume-Uni",
    "GE": "Géorgie",
    "GR": "Grèce",
    "HR": "Croatie",
    "HU": "Hongrie",
    "IE": "Irlande",
    "IS": "Islande",
    "IT": "Italie",
    "LI": "Liechtenstein",
    "LT": "Lituanie",
    "LU": "Luxembourg",
    "LV": "Lettonie",
    "MD": "Moldavie",
    "ME": "Monténégro",
    "MK": "Macédoine du Nord",
    "MT": "Malte",
    "NL": "Pays-Bas",
    "NO": "Norvège",
    "PL": "Pologne",
    "PT": "Portugal",
    "RO": "Roumanie",
    "RS": "Serbie",
    "SE": "Suède",
    "SI": "Slovénie",
    "SK": "Slovaquie",
    "SM": "Saint-Marin",
    "TR": "Turquie",
    "UA": "Ukraine",
    "US": "États-Unis",
    "VA": "Vatican",
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)
