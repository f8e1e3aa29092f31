"""A practitioner's plain LightGBM, the peer of `cargo bench -p trainer --bench peer`.

Fits on every labelled row of a `trainer features` table, with 15% of them
(stratified) held out for early stopping, and writes the probability of
default of every row of a second feature table:

    python peer_lightgbm.py --train train/features.parquet \
        --eval eval/features.parquet --out peer.csv [--seed 42]

Needs `pip install -r requirements.txt` (lightgbm, pandas, pyarrow,
scikit-learn).
"""

import argparse
import sys
import time

import lightgbm as lgb
import pandas as pd
from sklearn.model_selection import train_test_split

ID, TARGET = "SK_ID_CURR", "TARGET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True)
    parser.add_argument("--eval", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    train = pd.read_parquet(args.train)
    train = train[train[TARGET].notna()]
    features = [c for c in train.columns if c not in (ID, TARGET)]
    x, y = train[features], train[TARGET].astype(int)
    x_fit, x_stop, y_fit, y_stop = train_test_split(
        x, y, test_size=0.15, stratify=y, random_state=args.seed
    )
    model = lgb.LGBMClassifier(
        n_estimators=10_000,
        learning_rate=0.03,
        num_leaves=34,
        max_depth=8,
        colsample_bytree=0.5,
        subsample=0.87,
        subsample_freq=1,
        min_child_weight=39,
        reg_alpha=0.04,
        reg_lambda=0.07,
        min_split_gain=0.02,
        random_state=args.seed,
        verbose=-1,
    )
    started = time.perf_counter()
    model.fit(
        x_fit,
        y_fit,
        eval_set=[(x_stop, y_stop)],
        eval_metric="auc",
        callbacks=[lgb.early_stopping(100, verbose=False)],
    )
    seconds = time.perf_counter() - started

    evaluation = pd.read_parquet(args.eval)
    missing = [c for c in features if c not in evaluation.columns]
    if missing:
        print(f"{args.eval} lacks {len(missing)} training features, e.g. {missing[:3]}", file=sys.stderr)
        return 1
    p = model.predict_proba(evaluation[features])[:, 1]
    pd.DataFrame({ID: evaluation[ID], "p": p}).to_csv(args.out, index=False)
    print(f"peer: {len(x_fit)} rows fitted, best iteration {model.best_iteration_}, {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
