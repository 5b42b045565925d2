"""Charts for reports and the dashboard: Altair specifications rendered locally to SVG.

Every builder returns a :class:`Chart` — a title, a text alternative computed from the data,
the table behind the picture, and the Altair spec — so no chart leaves without its words and
numbers. The statistics are computed elsewhere (:mod:`equitrack.stats`,
:mod:`equitrack.measures`); these modules only draw them. Figures withheld by the disclosure
gate are drawn as nothing and said to be "not shown".
"""

from .chart import Chart
from .funnel import funnel_chart
from .palette import GROUP_COLOURS, MDC_COLOURS, group_colour, group_order
from .ratios import ratio_chart
from .representation import representation_chart
from .spc import rate_series_chart, spc_chart
from .survival import cumulative_incidence_chart, kaplan_meier_chart

__all__ = [
    "GROUP_COLOURS",
    "MDC_COLOURS",
    "Chart",
    "cumulative_incidence_chart",
    "funnel_chart",
    "group_colour",
    "group_order",
    "kaplan_meier_chart",
    "rate_series_chart",
    "ratio_chart",
    "representation_chart",
    "spc_chart",
]
