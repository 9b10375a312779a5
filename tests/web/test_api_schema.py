"""The generated API description holds: schemathesis runs every operation in process against the WSGI app on the
demo database (no server error, every answer as described, wrong parameters refused), and the real answers about
last year's published cycle are checked against the document too."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.complaints import Complaint

#: Examples per operation: enough to find the wrong parameters of issue 17, small enough for well under a minute.
EXAMPLES = 25
#: schemathesis's WSGI transport asks for gzip (requests' default headers) but never inflates the body; the answers'
#: gzip encoding has its own tests (test_public_cache.py).
PLAIN = {"Accept-Encoding": "identity"}


def test_every_operation_answers_as_described(app):
    """Valid requests (positive) and wrong ones (negative) for every operation of the document."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    described = {
        (path, method) for path, item in api.raw_schema["paths"].items() for method in item if method != "servers"
    }
    assert {(op.path, op.method) for op in operations} >= described - {("/openapi.json", "get")}
    for operation in operations:
        takes = len(operation.query) + len(operation.path_parameters) + len(operation.body)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes else (GenerationMode.POSITIVE,):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )
            def run(case):
                # Open311's paths carry their own server, which schemathesis's WSGI transport only follows when told.
                case.headers = {**(case.headers or {}), **PLAIN}
                case.call_and_validate(base_url=operation.base_url)

            run()


def test_published_answers_match_the_document(app):
    """The demo's published cycle, rankings, posts and complaints (as Open311), checked against the document."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    year = local_today().year - 1
    calls = [
        ("/posts", {}, {"per_page": 100}),
        ("/posts", {}, {"page": 2, "q": "科"}),
        ("/units", {}, {}),
        ("/cycles", {}, {}),
        ("/cycles/{year}/results", {"year": year}, {}),
        ("/cycles/{year}/results", {"year": year}, {"version": 1}),
        ("/cycles/{year}/departments", {"year": year}, {}),
    ]
    with app.app_context():
        listed = Complaint.category != "discipline"  # discipline reports are never public
        case_number = db.session.scalar(select(Complaint.case_number).where(listed).limit(1))
    calls += [
        ("/services.{fmt}", {"fmt": "json"}, {}),
        ("/services/{code}.{fmt}", {"code": "conduct", "fmt": "json"}, {}),
        ("/requests.{fmt}", {"fmt": "json"}, {}),
        ("/requests.{fmt}", {"fmt": "json"}, {"status": "open,closed", "start_date": "2000-01-01"}),
        ("/requests/{case_number}.{fmt}", {"case_number": case_number, "fmt": "json"}, {}),
    ]
    for path, path_parameters, query in calls:
        operation = api[path]["GET"]
        case = operation.Case(path_parameters=path_parameters, query=query, headers=PLAIN)
        response = case.call(base_url=operation.base_url)
        assert response.status_code == 200, (path, response.text[:200])
        case.validate_response(response)
