"""Colours and type: a calm, colour-blind-safe palette (Okabe–Ito) with IBCR's blue as accent."""

IBCR_BLUE = "#0057A8"
TEXT = "#1C2633"
MUTED = "#5B6675"
GRID = "#E3E8EF"
GRID_LINE = "#9FB3C8"  # the thin line joining figures of consecutive years
TARGET_COLOUR = "#E69F00"  # targets among reported figures (open squares)
IBCR_ACCENT = IBCR_BLUE
LAND = "#E9EDF2"  # countries with no recorded engagement
NOT_ENGAGED_BORDER = "#FFFFFF"
VENUE_COLOUR = "#D9CBB0"  # event venues only: a pale sand, never a programme colour
FONT = "Source Sans Pro, sans-serif"

# Okabe–Ito colours first; the rarer kinds take darker neutrals that stay distinct.
KIND_COLOURS = {
    "training": "#0072B2",
    "contribution_agreement": "#009E73",
    "voluntary_cooperation": "#E69F00",
    "jj_analysis": "#CC79A7",
    "civil_society": "#56B4E9",
    "technical_support": "#D55E00",
    "regional_workshop": "#F0E442",
    "research": "#8C6D31",
    "campaign": "#7F3C8D",
    "standard_setting": "#3B4B5C",
    "office": "#6F7F8F",
}
STATUS_COLOURS = {
    "ongoing": "#009E73",
    "planned": "#E69F00",
    "completed": "#0072B2",
    "unknown": "#9AA4B1",
}
BLUE_SCALE = [[0.0, "#C6DBEF"], [0.5, "#4292C6"], [1.0, "#08306B"]]
