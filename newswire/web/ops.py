"""What operations ask a ``serve`` process: ``/healthz`` (the process answers), ``/readyz`` (it can do
its work: the database reachable, its schema the code's, the background parts it runs alive) and
``/metrics`` (Prometheus). A load balancer sends traffic only to a ready process; an orchestrator
restarts one that stops being healthy. docs/operations.md has what each says and how to scrape."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .. import __version__
from ..services.metrics import CONTENT_TYPE
from .api.openapi import content

router = APIRouter(tags=["operations"])
# (every route answers 404 to a query string it cannot read, as the newsroom does: edge.checked_input)
UNREADABLE = {404: content("text/html", description="A query string the service cannot read")}


class Health(BaseModel):
    status: str = Field(description="Always `ok`: the process answers", examples=["ok"])
    version: str = Field(description="The Newswire version this process runs")


class CheckOut(BaseModel):
    name: str = Field(description="`database`, `migrations`, or `worker:clock`, `worker:delivery`, "
                                  "`worker:translation` when this process runs the workers")
    ok: bool
    detail: str = Field(description="What was found, for people")


class Readiness(BaseModel):
    status: str = Field(description="`ready`, or `not ready` when a check failed", examples=["ready"])
    checks: list[CheckOut]


@router.get("/healthz", response_model=Health, summary="The process is up (liveness)", responses=UNREADABLE)
def healthz():
    return {"status": "ok", "version": __version__}


@router.get("/readyz", response_model=Readiness, summary="The process can serve (readiness)", responses={
    503: {"model": Readiness, "description": "A check failed: the database, the migrations, the listener or a worker"},
    **UNREADABLE})
def readyz(request: Request):
    runtime = getattr(request.app.state, "runtime", None)
    checks = request.app.state.nw.ops.ready(runtime.parts() if runtime is not None else [],
                                            runtime.listening if runtime is not None else None)
    ok = all(c.ok for c in checks)
    body = Readiness(status="ready" if ok else "not ready",
                     checks=[CheckOut(name=c.name, ok=c.ok, detail=c.detail) for c in checks])
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


@router.get("/metrics", summary="Prometheus metrics (text exposition format)", response_class=Response,
            responses={200: content("text/plain", description="The metrics, Prometheus' text format"),
                       **UNREADABLE})
def metrics(request: Request):
    m = request.app.state.nw.metrics
    return Response(m.exposition(), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})

