#!/usr/bin/env python3
# -----------------------------------------------------------------------------
# Reference re-implementation of the feature engineering of the public Kaggle
# kernel "LightGBM with simple features" by Aguiar (jsaguiar), Home Credit
# Default Risk competition (version with the "Update 16/06/2018": Payment Rate
# feature, index removed from features, standard KFold).
#   https://www.kaggle.com/code/jsaguiar/lightgbm-with-simple-features
# Kaggle kernels are released under the Apache License 2.0; this file is a
# derivative of that kernel under the same licence.
#
# Purpose: a REFERENCE (to check the Rust/polars feature table against on real
# rows) and the pandas BASELINE TIMING for the benchmark. Not part of the
# product. Only the feature engineering is kept: the LightGBM k-fold training,
# submission and importance plot of the kernel are left out.
#
# The kernel's functions are kept with their structure, aggregations and
# column naming. Deviations, all forced by modern pandas or by the use as a
# command-line reference tool:
#  1. application_train_test: `df.append(test_df).reset_index()` no longer
#     exists (removed in pandas 2.0) -> `pd.concat([df, test_df]).reset_index()`
#     (no ignore_index, so `reset_index()` still adds the kernel's `index`
#     column holding the row number within each csv). Column order is that of
#     pandas 1.x `append` (sort=False: train's order); pandas 0.23, which the
#     kernel first ran on, sorted the columns alphabetically here. Values are
#     unaffected.
#  2. one_hot_encoder: `pd.get_dummies` now yields bool; `dtype=np.uint8` is
#     passed to get the old uint8 dummies (so `mean`/`sum`/`var` are numeric
#     and `df[c] == 1` filters work as before). Under pandas >= 3 text columns
#     have the `str` dtype instead of `object`, so they are also detected with
#     `pd.api.types.is_string_dtype` (a no-op on pandas 2.x).
#  3. `df[col].replace(365243, np.nan, inplace=True)` (application and the five
#     DAYS_ columns of previous_applications) is a chained in-place assignment
#     that copy-on-write (pandas >= 3) silently ignores -> rewritten as
#     `df[col] = df[col].replace(365243, np.nan)`; same result.
#  4. File paths: '../input/X.csv' -> os.path.join(DATA_DIR, 'X.csv'), and
#     `pd.read_csv` -> `_read`, which reads X.parquet with `pd.read_parquet`
#     instead when the folder holds no X.csv (the benchmark's parquet input;
#     `nrows` then slices the table read).
#  5. main(): the kernel's `timer` printed whole seconds to stdout; here each
#     stage's wall time is printed to stderr in seconds with 3 decimals, plus a
#     total, and shapes are printed to stderr too.
#  6. End of main(): instead of kfold_lightgbm, the column names are cleaned
#     with `re.sub('[^A-Za-z0-9_]+', '', name)` (the usual fix needed by
#     LightGBM >= 2.3, which rejects JSON special characters in feature names;
#     it is not in the original kernel text), the `index` column that the
#     kernel's reset_index() added (and that kfold_lightgbm excluded from the
#     features) is dropped, and the table is written to parquet (pyarrow).
# Everything else keeps pandas semantics: 'var' is the sample variance
# (ddof=1; NaN for one-row groups), 'sum' of an all-NaN group is 0, 'nunique'
# ignores NaN, `x if x > 0 else 0` turns NaN DPD/DBD into 0, and the whole of
# every csv is read, as in the kernel.
# -----------------------------------------------------------------------------

import argparse
import gc
import os
import re
import sys
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

DATA_DIR = '../input'


def log(*args):
    print(*args, file=sys.stderr, flush=True)


_STAGE_TIMES = []


@contextmanager
def timer(title):
    t0 = time.perf_counter()
    yield
    dt = time.perf_counter() - t0
    _STAGE_TIMES.append((title, dt))
    log("{} - done in {:.3f}s".format(title, dt))


def _path(name):
    return os.path.join(DATA_DIR, name)


def _read(path, nrows=None):
    # pd.read_csv, or pd.read_parquet of the same table (deviation 4)
    if os.path.exists(path) or not os.path.exists(path[:-len('.csv')] + '.parquet'):
        return pd.read_csv(path, nrows=nrows)
    df = pd.read_parquet(path[:-len('.csv')] + '.parquet')
    return df if nrows is None else df.iloc[:nrows]


def _is_categorical(series):
    # pandas 2.x: object; pandas >= 3: 'str' (deviation 2)
    return series.dtype == 'object' or pd.api.types.is_string_dtype(series.dtype)


# One-hot encoding for categorical columns with get_dummies
def one_hot_encoder(df, nan_as_category = True):
    original_columns = list(df.columns)
    categorical_columns = [col for col in df.columns if _is_categorical(df[col])]
    # dtype=np.uint8: the dummies of the pandas the kernel ran on (deviation 2)
    df = pd.get_dummies(df, columns= categorical_columns, dummy_na= nan_as_category, dtype=np.uint8)
    new_columns = [c for c in df.columns if c not in original_columns]
    return df, new_columns


# Preprocess application_train.csv and application_test.csv
def application_train_test(num_rows = None, nan_as_category = False):
    # Read data and merge
    df = _read(_path('application_train.csv'), nrows=num_rows)
    test_df = _read(_path('application_test.csv'), nrows=num_rows)
    log("Train samples: {}, test samples: {}".format(len(df), len(test_df)))
    # was: df = df.append(test_df).reset_index()   (deviation 1)
    df = pd.concat([df, test_df]).reset_index()
    # Optional: Remove 4 applications with XNA CODE_GENDER (train set)
    df = df[df['CODE_GENDER'] != 'XNA']

    # Categorical features with Binary encode (0 or 1; two categories)
    for bin_feature in ['CODE_GENDER', 'FLAG_OWN_CAR', 'FLAG_OWN_REALTY']:
        df[bin_feature], uniques = pd.factorize(df[bin_feature])
    # Categorical features with One-Hot encode
    df, cat_cols = one_hot_encoder(df, nan_as_category)

    # NaN values for DAYS_EMPLOYED: 365.243 -> nan   (deviation 3)
    df['DAYS_EMPLOYED'] = df['DAYS_EMPLOYED'].replace(365243, np.nan)
    # Some simple new features (percentages)
    df['DAYS_EMPLOYED_PERC'] = df['DAYS_EMPLOYED'] / df['DAYS_BIRTH']
    df['INCOME_CREDIT_PERC'] = df['AMT_INCOME_TOTAL'] / df['AMT_CREDIT']
    df['INCOME_PER_PERSON'] = df['AMT_INCOME_TOTAL'] / df['CNT_FAM_MEMBERS']
    df['ANNUITY_INCOME_PERC'] = df['AMT_ANNUITY'] / df['AMT_INCOME_TOTAL']
    df['PAYMENT_RATE'] = df['AMT_ANNUITY'] / df['AMT_CREDIT']
    del test_df
    gc.collect()
    return df


# Preprocess bureau.csv and bureau_balance.csv
def bureau_and_balance(num_rows = None, nan_as_category = True):
    bureau = _read(_path('bureau.csv'), nrows=num_rows)
    bb = _read(_path('bureau_balance.csv'), nrows=num_rows)
    bb, bb_cat = one_hot_encoder(bb, nan_as_category)
    bureau, bureau_cat = one_hot_encoder(bureau, nan_as_category)

    # Bureau balance: Perform aggregations and merge with bureau.csv
    bb_aggregations = {'MONTHS_BALANCE': ['min', 'max', 'size']}
    for col in bb_cat:
        bb_aggregations[col] = ['mean']
    bb_agg = bb.groupby('SK_ID_BUREAU').agg(bb_aggregations)
    bb_agg.columns = pd.Index([e[0] + "_" + e[1].upper() for e in bb_agg.columns.tolist()])
    bureau = bureau.join(bb_agg, how='left', on='SK_ID_BUREAU')
    bureau.drop(['SK_ID_BUREAU'], axis=1, inplace= True)
    del bb, bb_agg
    gc.collect()

    # Bureau and bureau_balance numeric features
    num_aggregations = {
        'DAYS_CREDIT': ['min', 'max', 'mean', 'var'],
        'DAYS_CREDIT_ENDDATE': ['min', 'max', 'mean'],
        'DAYS_CREDIT_UPDATE': ['mean'],
        'CREDIT_DAY_OVERDUE': ['max', 'mean'],
        'AMT_CREDIT_MAX_OVERDUE': ['mean'],
        'AMT_CREDIT_SUM': ['max', 'mean', 'sum'],
        'AMT_CREDIT_SUM_DEBT': ['max', 'mean', 'sum'],
        'AMT_CREDIT_SUM_OVERDUE': ['mean'],
        'AMT_CREDIT_SUM_LIMIT': ['mean', 'sum'],
        'AMT_ANNUITY': ['max', 'mean'],
        'CNT_CREDIT_PROLONG': ['sum'],
        'MONTHS_BALANCE_MIN': ['min'],
        'MONTHS_BALANCE_MAX': ['max'],
        'MONTHS_BALANCE_SIZE': ['mean', 'sum']
    }
    # Bureau and bureau_balance categorical features
    cat_aggregations = {}
    for cat in bureau_cat: cat_aggregations[cat] = ['mean']
    for cat in bb_cat: cat_aggregations[cat + "_MEAN"] = ['mean']

    bureau_agg = bureau.groupby('SK_ID_CURR').agg({**num_aggregations, **cat_aggregations})
    bureau_agg.columns = pd.Index(['BURO_' + e[0] + "_" + e[1].upper() for e in bureau_agg.columns.tolist()])
    # Bureau: Active credits - using only numerical aggregations
    active = bureau[bureau['CREDIT_ACTIVE_Active'] == 1]
    active_agg = active.groupby('SK_ID_CURR').agg(num_aggregations)
    active_agg.columns = pd.Index(['ACTIVE_' + e[0] + "_" + e[1].upper() for e in active_agg.columns.tolist()])
    bureau_agg = bureau_agg.join(active_agg, how='left', on='SK_ID_CURR')
    del active, active_agg
    gc.collect()
    # Bureau: Closed credits - using only numerical aggregations
    closed = bureau[bureau['CREDIT_ACTIVE_Closed'] == 1]
    closed_agg = closed.groupby('SK_ID_CURR').agg(num_aggregations)
    closed_agg.columns = pd.Index(['CLOSED_' + e[0] + "_" + e[1].upper() for e in closed_agg.columns.tolist()])
    bureau_agg = bureau_agg.join(closed_agg, how='left', on='SK_ID_CURR')
    del closed, closed_agg, bureau
    gc.collect()
    return bureau_agg


# Preprocess previous_applications.csv
def previous_applications(num_rows = None, nan_as_category = True):
    prev = _read(_path('previous_application.csv'), nrows=num_rows)
    prev, cat_cols = one_hot_encoder(prev, nan_as_category= True)
    # Days 365.243 values -> nan   (deviation 3)
    prev['DAYS_FIRST_DRAWING'] = prev['DAYS_FIRST_DRAWING'].replace(365243, np.nan)
    prev['DAYS_FIRST_DUE'] = prev['DAYS_FIRST_DUE'].replace(365243, np.nan)
    prev['DAYS_LAST_DUE_1ST_VERSION'] = prev['DAYS_LAST_DUE_1ST_VERSION'].replace(365243, np.nan)
    prev['DAYS_LAST_DUE'] = prev['DAYS_LAST_DUE'].replace(365243, np.nan)
    prev['DAYS_TERMINATION'] = prev['DAYS_TERMINATION'].replace(365243, np.nan)
    # Add feature: value ask / value received percentage
    prev['APP_CREDIT_PERC'] = prev['AMT_APPLICATION'] / prev['AMT_CREDIT']
    # Previous applications numeric features
    num_aggregations = {
        'AMT_ANNUITY': ['min', 'max', 'mean'],
        'AMT_APPLICATION': ['min', 'max', 'mean'],
        'AMT_CREDIT': ['min', 'max', 'mean'],
        'APP_CREDIT_PERC': ['min', 'max', 'mean', 'var'],
        'AMT_DOWN_PAYMENT': ['min', 'max', 'mean'],
        'AMT_GOODS_PRICE': ['min', 'max', 'mean'],
        'HOUR_APPR_PROCESS_START': ['min', 'max', 'mean'],
        'RATE_DOWN_PAYMENT': ['min', 'max', 'mean'],
        'DAYS_DECISION': ['min', 'max', 'mean'],
        'CNT_PAYMENT': ['mean', 'sum'],
    }
    # Previous applications categorical features
    cat_aggregations = {}
    for cat in cat_cols:
        cat_aggregations[cat] = ['mean']

    prev_agg = prev.groupby('SK_ID_CURR').agg({**num_aggregations, **cat_aggregations})
    prev_agg.columns = pd.Index(['PREV_' + e[0] + "_" + e[1].upper() for e in prev_agg.columns.tolist()])
    # Previous Applications: Approved Applications - only numerical features
    approved = prev[prev['NAME_CONTRACT_STATUS_Approved'] == 1]
    approved_agg = approved.groupby('SK_ID_CURR').agg(num_aggregations)
    approved_agg.columns = pd.Index(['APPROVED_' + e[0] + "_" + e[1].upper() for e in approved_agg.columns.tolist()])
    prev_agg = prev_agg.join(approved_agg, how='left', on='SK_ID_CURR')
    # Previous Applications: Refused Applications - only numerical features
    refused = prev[prev['NAME_CONTRACT_STATUS_Refused'] == 1]
    refused_agg = refused.groupby('SK_ID_CURR').agg(num_aggregations)
    refused_agg.columns = pd.Index(['REFUSED_' + e[0] + "_" + e[1].upper() for e in refused_agg.columns.tolist()])
    prev_agg = prev_agg.join(refused_agg, how='left', on='SK_ID_CURR')
    del refused, refused_agg, approved, approved_agg, prev
    gc.collect()
    return prev_agg


# Preprocess POS_CASH_balance.csv
def pos_cash(num_rows = None, nan_as_category = True):
    pos = _read(_path('POS_CASH_balance.csv'), nrows=num_rows)
    pos, cat_cols = one_hot_encoder(pos, nan_as_category= True)
    # Features
    aggregations = {
        'MONTHS_BALANCE': ['max', 'mean', 'size'],
        'SK_DPD': ['max', 'mean'],
        'SK_DPD_DEF': ['max', 'mean']
    }
    for cat in cat_cols:
        aggregations[cat] = ['mean']

    pos_agg = pos.groupby('SK_ID_CURR').agg(aggregations)
    pos_agg.columns = pd.Index(['POS_' + e[0] + "_" + e[1].upper() for e in pos_agg.columns.tolist()])
    # Count pos cash accounts
    pos_agg['POS_COUNT'] = pos.groupby('SK_ID_CURR').size()
    del pos
    gc.collect()
    return pos_agg


# Preprocess installments_payments.csv
def installments_payments(num_rows = None, nan_as_category = True):
    ins = _read(_path('installments_payments.csv'), nrows=num_rows)
    ins, cat_cols = one_hot_encoder(ins, nan_as_category= True)
    # Percentage and difference paid in each installment (amount paid and installment value)
    ins['PAYMENT_PERC'] = ins['AMT_PAYMENT'] / ins['AMT_INSTALMENT']
    ins['PAYMENT_DIFF'] = ins['AMT_INSTALMENT'] - ins['AMT_PAYMENT']
    # Days past due and days before due (no negative values)
    ins['DPD'] = ins['DAYS_ENTRY_PAYMENT'] - ins['DAYS_INSTALMENT']
    ins['DBD'] = ins['DAYS_INSTALMENT'] - ins['DAYS_ENTRY_PAYMENT']
    ins['DPD'] = ins['DPD'].apply(lambda x: x if x > 0 else 0)
    ins['DBD'] = ins['DBD'].apply(lambda x: x if x > 0 else 0)
    # Features: Perform aggregations
    aggregations = {
        'NUM_INSTALMENT_VERSION': ['nunique'],
        'DPD': ['max', 'mean', 'sum'],
        'DBD': ['max', 'mean', 'sum'],
        'PAYMENT_PERC': ['max', 'mean', 'sum', 'var'],
        'PAYMENT_DIFF': ['max', 'mean', 'sum', 'var'],
        'AMT_INSTALMENT': ['max', 'mean', 'sum'],
        'AMT_PAYMENT': ['min', 'max', 'mean', 'sum'],
        'DAYS_ENTRY_PAYMENT': ['max', 'mean', 'sum']
    }
    for cat in cat_cols:
        aggregations[cat] = ['mean']
    ins_agg = ins.groupby('SK_ID_CURR').agg(aggregations)
    ins_agg.columns = pd.Index(['INSTAL_' + e[0] + "_" + e[1].upper() for e in ins_agg.columns.tolist()])
    # Count installments accounts
    ins_agg['INSTAL_COUNT'] = ins.groupby('SK_ID_CURR').size()
    del ins
    gc.collect()
    return ins_agg


# Preprocess credit_card_balance.csv
def credit_card_balance(num_rows = None, nan_as_category = True):
    cc = _read(_path('credit_card_balance.csv'), nrows=num_rows)
    cc, cat_cols = one_hot_encoder(cc, nan_as_category= True)
    # General aggregations
    cc.drop(['SK_ID_PREV'], axis= 1, inplace = True)
    cc_agg = cc.groupby('SK_ID_CURR').agg(['min', 'max', 'mean', 'sum', 'var'])
    cc_agg.columns = pd.Index(['CC_' + e[0] + "_" + e[1].upper() for e in cc_agg.columns.tolist()])
    # Count credit card lines
    cc_agg['CC_COUNT'] = cc.groupby('SK_ID_CURR').size()
    del cc
    gc.collect()
    return cc_agg


def main(debug = False, num_rows = None):
    # The kernel: num_rows = 10000 if debug else None
    if num_rows is None:
        num_rows = 10000 if debug else None
    with timer("Process application train and test"):
        df = application_train_test(num_rows)
        log("Application df shape:", df.shape)
    with timer("Process bureau and bureau_balance"):
        bureau = bureau_and_balance(num_rows)
        log("Bureau df shape:", bureau.shape)
        df = df.join(bureau, how='left', on='SK_ID_CURR')
        del bureau
        gc.collect()
    with timer("Process previous_applications"):
        prev = previous_applications(num_rows)
        log("Previous applications df shape:", prev.shape)
        df = df.join(prev, how='left', on='SK_ID_CURR')
        del prev
        gc.collect()
    with timer("Process POS-CASH balance"):
        pos = pos_cash(num_rows)
        log("Pos-cash balance df shape:", pos.shape)
        df = df.join(pos, how='left', on='SK_ID_CURR')
        del pos
        gc.collect()
    with timer("Process installments payments"):
        ins = installments_payments(num_rows)
        log("Installments payments df shape:", ins.shape)
        df = df.join(ins, how='left', on='SK_ID_CURR')
        del ins
        gc.collect()
    with timer("Process credit card balance"):
        cc = credit_card_balance(num_rows)
        log("Credit card balance df shape:", cc.shape)
        df = df.join(cc, how='left', on='SK_ID_CURR')
        del cc
        gc.collect()
    # Deviation 6: instead of kfold_lightgbm(df, ...): clean names, drop `index`.
    with timer("Clean column names and drop index"):
        df = df.rename(columns = lambda x: re.sub('[^A-Za-z0-9_]+', '', x))
        dup = df.columns[df.columns.duplicated()].tolist()
        if dup:
            warnings.warn("duplicate column names after clean-up: {}".format(dup))
        df = df.drop(columns=['index'])
    return df


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__ or "Kernel feature table (reference)")
    p.add_argument('--data', required=True, help="folder with the Home Credit csv (or parquet) files")
    p.add_argument('--out', required=True, help="output parquet file")
    p.add_argument('--csv', default=None, help="also write the table as csv to this file")
    p.add_argument('--float64', action='store_true',
                   help="write every feature as float64 (for readers without uint8 support)")
    p.add_argument('--num-rows', type=int, default=None,
                   help="read only the first N rows of each csv (the kernel's debug mode uses 10000)")
    return p.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    DATA_DIR = args.data
    log("pandas {}, numpy {}".format(pd.__version__, np.__version__))
    t_start = time.perf_counter()
    with timer("Features (all stages)"):
        df = main(num_rows=args.num_rows)
    if args.float64:
        features = [c for c in df.columns if c != 'SK_ID_CURR']
        df[features] = df[features].astype('float64')
    with timer("Write parquet"):
        df.to_parquet(args.out, engine='pyarrow', index=False)
    if args.csv:
        with timer("Write csv"):
            df.to_csv(args.csv, index=False)
    total = time.perf_counter() - t_start
    log("Output shape: {}".format(df.shape))
    log("Total wall time: {:.3f}s".format(total))
