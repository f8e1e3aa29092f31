use super::*;

const COLUMNS: [(&str, Kind); 3] = [
    ("SK_ID_CURR", Kind::Integer),
    ("AMOUNT", Kind::Number),
    ("SUITE", Kind::Text),
];

fn write(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("table.csv");
    std::fs::write(&path, text).expect("written");
    (dir, path)
}

type Row = (Option<i64>, Option<f64>, Option<String>);

/// The rows of a table read, each text through its dictionary.
fn rows(table: &LoadedTable) -> Vec<Row> {
    let frame = &table.frame;
    let ids = frame.column("SK_ID_CURR").expect("id").i64().expect("i64");
    let amounts = frame.column("AMOUNT").expect("amount").f64().expect("f64");
    let suites = frame.column("SUITE").expect("suite").u32().expect("u32");
    let dictionary = table.dictionary("SUITE").expect("a text column");
    ids.iter()
        .zip(amounts.iter())
        .zip(suites.iter())
        .map(|((id, amount), suite)| (id, amount, suite.map(|p| dictionary[p as usize].clone())))
        .collect()
}

fn read(text: &str, block: usize) -> Result<LoadedTable> {
    let (_dir, path) = write(text);
    read_in_blocks(&path, &COLUMNS, block)
}

fn row(id: i64, amount: Option<f64>, suite: Option<&str>) -> Row {
    (Some(id), amount, suite.map(str::to_owned))
}

#[test]
fn quoted_fields_hold_commas_quotes_and_line_breaks_in_any_block_size() {
    let text = "\u{feff}SK_ID_CURR,EXTRA,AMOUNT,SUITE\r\n\
        1,x,1.5,\"Spouse, partner\"\r\n\
        \r\n\
        2,\"a \"\"b\"\"\",,\"two\nlines\"\n\
        3,,-2e3,\n\
        4,\"\",0.1,Family";
    let expected = vec![
        row(1, Some(1.5), Some("Spouse, partner")),
        row(2, None, Some("two\nlines")),
        row(3, Some(-2000.0), None),
        row(4, Some(0.1), Some("Family")),
    ];
    for block in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
        let frame = read(text, block).expect("read");
        assert_eq!(rows(&frame), expected, "block of {block} bytes");
    }
}

#[test]
fn a_text_column_is_one_dictionary_in_order_of_first_appearance_across_blocks() {
    let text = "SK_ID_CURR,AMOUNT,SUITE\n1,,b\n2,,a\n3,,\n4,,b\n5,,c\n6,,a\n";
    for block in [1, 7, 1 << 20] {
        let table = read(text, block).expect("read");
        assert_eq!(table.dictionary("SUITE").expect("text"), ["b", "a", "c"]);
        let positions: Vec<Option<u32>> = table
            .frame
            .column("SUITE")
            .expect("column")
            .u32()
            .expect("u32")
            .iter()
            .collect();
        assert_eq!(
            positions,
            [Some(0), Some(1), None, Some(0), Some(2), Some(1)],
            "block of {block} bytes"
        );
    }
}

#[test]
fn doubled_quotes_in_a_text_column_are_unescaped() {
    let frame = read("SK_ID_CURR,AMOUNT,SUITE\n7,1,\"say \"\"hi\"\"\"\n", 4).expect("read");
    assert_eq!(rows(&frame), vec![row(7, Some(1.0), Some("say \"hi\""))]);
}

#[test]
fn numbers_parse_as_polars_and_pandas_read_them() {
    let values = [
        "0.1",
        "-365243",
        "1e-7",
        "123456789.123456789",
        "2.5E+3",
        ".5",
    ];
    let text: String = std::iter::once("SK_ID_CURR,AMOUNT,SUITE\n".to_owned())
        .chain(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{i},{v},\n")),
        )
        .collect();
    let frame = read(&text, 1 << 20).expect("read");
    let parsed: Vec<Option<f64>> = rows(&frame).into_iter().map(|r| r.1).collect();
    let expected: Vec<Option<f64>> = values.iter().map(|v| v.parse().ok()).collect();
    assert_eq!(parsed, expected);
}

#[test]
fn a_header_only_or_empty_file_is_an_empty_table() {
    for text in ["SK_ID_CURR,AMOUNT,SUITE\n", ""] {
        let table = read(text, 16).expect("read");
        assert_eq!(table.frame.height(), 0);
        assert_eq!(
            table.frame.dtypes(),
            [DataType::Int64, DataType::Float64, DataType::UInt32]
        );
        assert!(table.dictionary("SUITE").expect("a text column").is_empty());
    }
}

#[test]
fn a_missing_column_is_named() {
    match read("SK_ID_CURR,AMT,SUITE\n1,2,x\n", 16) {
        Err(Error::MissingColumn { column, .. }) => assert_eq!(column, "AMOUNT"),
        other => panic!("expected MissingColumn, got {other:?}"),
    }
}

#[test]
fn a_bad_value_names_its_line_column_and_text_in_any_block_size() {
    let mut text = "SK_ID_CURR,AMOUNT,SUITE\n".to_owned();
    for i in 0..50 {
        text.push_str(&format!("{i},{i}.5,\"a, b\"\n"));
    }
    text.push_str("50,12x,c\n51,1,d\n");
    for block in [7, 64, 1 << 20] {
        match read(&text, block) {
            Err(Error::MalformedValue {
                line,
                column,
                value,
                expected,
                ..
            }) => {
                assert_eq!(
                    (line, column.as_str(), value.as_str(), expected),
                    (52, "AMOUNT", "12x", "a number"),
                    "block of {block} bytes"
                );
            }
            other => panic!("expected MalformedValue, got {other:?}"),
        }
    }
    match read("SK_ID_CURR,AMOUNT,SUITE\n1.5,1,a\n", 16) {
        Err(Error::MalformedValue {
            line: 2,
            value,
            expected: "an integer",
            ..
        }) => assert_eq!(value, "1.5"),
        other => panic!("expected MalformedValue, got {other:?}"),
    }
}

fn record_problem(text: &str) -> (u64, String) {
    match read(text, 1 << 20) {
        Err(Error::CsvRecord {
            path,
            line,
            problem,
        }) => {
            assert!(path.ends_with("table.csv"));
            (line, problem)
        }
        other => panic!("expected CsvRecord, got {other:?}"),
    }
}

#[test]
fn a_record_with_the_wrong_number_of_fields_is_refused() {
    let (line, problem) = record_problem("SK_ID_CURR,AMOUNT,SUITE\n1,2,a\n2,3\n");
    assert_eq!(line, 3);
    assert_eq!(problem, "has 2 fields where the header has 3");
    let (_, problem) = record_problem("SK_ID_CURR,AMOUNT,SUITE\n1,2,a,b\n");
    assert_eq!(problem, "has 4 fields where the header has 3");
}

#[test]
fn broken_quoting_is_refused() {
    let (line, problem) = record_problem("SK_ID_CURR,AMOUNT,SUITE\n1,2,\"open\n2,3,b\n");
    assert_eq!(
        (line, problem.as_str()),
        (2, "a quoted field is never closed")
    );
    let (_, problem) = record_problem("SK_ID_CURR,AMOUNT,SUITE\n1,2,\"a\"b\n");
    assert_eq!(problem, "text follows the closing quote of a field");
}

#[test]
fn text_that_is_not_utf8_is_refused() {
    let (_dir, path) = write("");
    std::fs::write(&path, b"SK_ID_CURR,AMOUNT,SUITE\n1,2,\xff\n").expect("written");
    match read_in_blocks(&path, &COLUMNS, 16) {
        Err(Error::MalformedValue { expected, .. }) => assert_eq!(expected, "UTF-8 text"),
        other => panic!("expected MalformedValue, got {other:?}"),
    }
}

#[test]
fn a_header_that_is_not_utf8_is_refused() {
    let (_dir, path) = write("");
    std::fs::write(&path, b"SK_ID_CURR,AM\xffOUNT,SUITE\n1,2,a\n").expect("written");
    match read_in_blocks(&path, &COLUMNS, 16) {
        Err(Error::CsvRecord { line, problem, .. }) => {
            assert_eq!(
                (line, problem.as_str()),
                (1, "the header is not UTF-8 text")
            )
        }
        other => panic!("expected CsvRecord, got {other:?}"),
    }
}

#[test]
fn record_ends_skip_line_breaks_inside_quotes() {
    assert_eq!(record_end(b"1,\"a\nb\"\n2,", 0), Some(8));
    assert_eq!(record_end(b"1,\"a\nb", 0), None);
    assert_eq!(record_end(b"1,2\n3,4\n5", 0), Some(8));
    assert_eq!(record_end(b"1,2\n3", 4), None);
}

#[test]
fn numbers_read_in_one_pass_end_at_a_comma_a_line_end_or_the_file_end() {
    // Numbers last in a record, before CRLF and at the very end of the
    // file; quoted numbers and a stray carriage return take the general path.
    let text = "AMOUNT,SK_ID_CURR,SUITE\r\n\
        -628.0,-7,a\r\n\
        4395.556,\"8\",b\n\
        \"0.5\",9,\r\n\
        ,10,c\n\
        7.000,11,d";
    let expected = vec![
        row(-7, Some(-628.0), Some("a")),
        row(8, Some(4395.556), Some("b")),
        row(9, Some(0.5), None),
        row(10, None, Some("c")),
        row(11, Some(7.0), Some("d")),
    ];
    for block in [1, 5, 1 << 20] {
        assert_eq!(
            rows(&read(text, block).expect("read")),
            expected,
            "block of {block} bytes"
        );
    }
    match read("SK_ID_CURR,AMOUNT,SUITE\n1,2\r3,a\n", 1 << 20) {
        Err(Error::MalformedValue { value, .. }) => assert_eq!(value, "2\r3"),
        other => panic!("expected MalformedValue, got {other:?}"),
    }
}
