"""Calls the scoring service from Python with code generated from proto/.

Run by scoring-grpc/tests/python_client.rs with the generated modules on
PYTHONPATH:
    python3 client.py TARGET CLIENT_ID EXPECTED_PROBABILITY EXPECTED_VERSION EXPECTED_REASONS
Exits non-zero (with a message) when an answer is not the expected one.
"""

import math
import sys

import grpc
from scoring.v1 import scoring_pb2, scoring_pb2_grpc


def check(condition, message):
    if not condition:
        sys.exit("python client: " + message)


def main():
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
