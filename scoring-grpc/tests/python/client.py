"""Calls the scoring service from Python with code generated from proto/.

Run by scoring-grpc/tests/python_client.rs with the generated modules on
PYTHONPATH:
    python3 client.py TARGET CLIENT_ID EXPECTED_PROBABILITY EXPECTED_VERSION EXPECTED_REASONS
    python3 client.py application TARGET CASE_JSON
The second form builds a LoanApplication from the raw records of a JSON
file (the application row and its history, null for a missing value),
scores and explains it, and compares with the answers the file holds (the
Rust client's). Exits non-zero (with a message) when an answer is not the
expected one.
"""

import json
import math
import sys

import grpc
from scoring.v1 import scoring_pb2, scoring_pb2_grpc


def check(condition, message):
    if not condition:
        sys.exit("python client: " + message)


def record(columns):
    """A Record message from a dict of column name to number, text or None."""
    message = scoring_pb2.Record()
    for column, value in columns.items():
        if value is None:
            message.columns[column].missing.SetInParent()
        elif isinstance(value, str):
            message.columns[column].text = value
        else:
            message.columns[column].number = float(value)
    return message


def loan_application(raw):
    """A LoanApplication message from the JSON form of the raw records."""
    return scoring_pb2.LoanApplication(
        application=record(raw["application"]),
        bureau=[scoring_pb2.BureauCredit(
            record=record(credit["record"]),
            bureau_balance=[record(r) for r in credit["bureau_balance"]])
            for credit in raw["bureau"]],
        previous_application=[scoring_pb2.PreviousApplication(
            record=record(previous["record"]),
            pos_cash_balance=[record(r) for r in previous["pos_cash_balance"]],
            installments_payments=[record(r) for r in previous["installments_payments"]],
            credit_card_balance=[record(r) for r in previous["credit_card_balance"]])
            for previous in raw["previous_application"]],
    )


def score_application(target, case_path):
    with open(case_path, encoding="utf-8") as file:
        case = json.load(file)
    expected = case["expected"]
    application = loan_application(case["application"])
    applicant = scoring_pb2.Applicant(loan_application=application)
    with grpc.insecure_channel(target) as channel:
        stub = scoring_pb2_grpc.ScoringServiceStub(channel)
        score = stub.Score(scoring_pb2.ScoreRequest(
            applicant=applicant, reasons=scoring_pb2.REASON_POLICY_ALWAYS))
        check(score.model_version == expected["model_version"], f"version {score.model_version}")
        check(not score.HasField("client_id"), "an application is not a client id")
        check(score.probability_of_default == expected["probability_of_default"],
              f"probability {score.probability_of_default!r} != "
              f"{expected['probability_of_default']!r}")
        check(score.raw_score == expected["raw_score"], "raw score")
        check(score.decision == expected["decision"], f"decision {score.decision}")
        reasons = [r.feature for r in score.reason_codes]
        check(reasons == expected["reasons"], f"reasons {reasons} != {expected['reasons']}")

        explain = stub.Explain(scoring_pb2.ExplainRequest(
            applicant=applicant, include_feature_values=True))
        check(explain.raw_score == score.raw_score, "Explain and Score agree")
        values = dict(explain.feature_values.values)
        check(values == expected["feature_values"],
              f"{len(values)} feature values, not the {len(expected['feature_values'])} expected")

        bad = scoring_pb2.LoanApplication()
        bad.CopyFrom(application)
        bad.previous_application[0].record.columns["AMT_CREDIT"].text = "a lot"
        try:
            stub.Score(scoring_pb2.ScoreRequest(
                applicant=scoring_pb2.Applicant(loan_application=bad)))
            check(False, "text in a numeric column accepted")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, f"code {error.code()}")
            check("previous_application[0], column `AMT_CREDIT`: expected a number, found text"
                  in error.details(), f"message {error.details()}")
    print(f"python client: ok (application, {score.probability_of_default:.6f}, "
          f"{len(values)} feature values)")


def main():
    if sys.argv[1] == "application":
        score_application(*sys.argv[2:4])
        return
    target, client_id, expected_p, expected_version, expected_reasons = sys.argv[1:6]
    client_id, expected_p = int(client_id), float(expected_p)
    expected_reasons = int(expected_reasons)
    with grpc.insecure_channel(target) as channel:
        stub = scoring_pb2_grpc.ScoringServiceStub(channel)
        applicant = scoring_pb2.Applicant(client_id=client_id)

        score = stub.Score(scoring_pb2.ScoreRequest(applicant=applicant))
        check(score.model_version == expected_version, f"version {score.model_version}")
        check(score.client_id == client_id, f"client id {score.client_id}")
        check(score.probability_of_default == expected_p,
              f"probability {score.probability_of_default!r} != {expected_p!r}")
        check(score.decision in (scoring_pb2.DECISION_ACCEPT, scoring_pb2.DECISION_REFUSE),
              "no decision")
        check(score.strategy == scoring_pb2.STRATEGY_NORMAL, "default strategy is NORMAL")

        for policy, reasons in [(scoring_pb2.REASON_POLICY_ALWAYS, expected_reasons),
                                (scoring_pb2.REASON_POLICY_NEVER, 0)]:
            answer = stub.Score(scoring_pb2.ScoreRequest(applicant=applicant, reasons=policy))
            check(answer.probability_of_default == expected_p, f"probability under {policy}")
            check(len(answer.reason_codes) == reasons,
                  f"{len(answer.reason_codes)} reason codes under policy {policy}, not {reasons}")

        explain = stub.Explain(scoring_pb2.ExplainRequest(applicant=applicant, top_k=3))
        total = explain.base_value + sum(c.contribution for c in explain.contributions)
        total += explain.other_contributions
        check(math.isclose(total, explain.raw_score, abs_tol=1e-9),
              f"contributions add up to {total}, raw score {explain.raw_score}")
        check(len(explain.contributions) == 3, "top_k=3 contributions")
        check(explain.raw_score == score.raw_score, "Explain and Score agree")

        try:
            stub.Score(scoring_pb2.ScoreRequest(
                applicant=scoring_pb2.Applicant(client_id=-1)))
            check(False, "unknown client accepted")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.NOT_FOUND, f"code {error.code()}")
    print(f"python client: ok ({score.probability_of_default:.6f}, "
          f"{len(explain.contributions)} contributions)")


if __name__ == "__main__":
    main()
