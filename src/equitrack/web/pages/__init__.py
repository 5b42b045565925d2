"""The dashboard's pages, one module per area, each with its own router. Every route names its
access rule (`allow`) where it is declared; `guard` enforces it.

`ROUTERS` is the order the app includes them in (the order of the menu).
"""

from __future__ import annotations

from fastapi import APIRouter

from equitrack.web.pages import admin, data, downloads, figures, journeys, recommendations, signin

ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    figures.router,
    recommendations.router,
    journeys.router,
    data.router,
    downloads.router,
    admin.router,
)
