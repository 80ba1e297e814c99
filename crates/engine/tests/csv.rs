//! CSV import: good files, and one test per error with its message.

use lethe_engine::data::parse_csv;

fn ok(text: &str, label: &str) -> lethe_engine::data::Dataset {
    parse_csv(text, "test.csv", label).unwrap_or_else(|e| panic!("should parse: {e}"))
}

fn fails(text: &str, label: &str) -> String {
    parse_csv(text, "test.csv", label)
        .expect_err("should be rejected")
        .to_string()
}

fn rows(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join("\n")
}

#[test]
fn header_string_labels_and_named_label_column() {
    let text = format!(
        "sepal,species,petal\n{}",
        rows(12, |i| format!(
            "{i}.5,{},{}",
            ["setosa", "virginica"][i % 2],
            i * 2
        ))
    );
    let d = ok(&text, "species");
    assert_eq!(d.feature_names, vec!["sepal", "petal"]);
    assert_eq!(d.class_names, vec!["setosa", "virginica"]);
    assert_eq!(d.len(), 12);
    assert_eq!(&d.x[..2], &[0.5, 0.0]);
    assert_eq!(d.y[1], 1);
}

#[test]
fn semicolon_delimiter_no_header_numeric_labels_last_column() {
    let text = rows(10, |i| format!("{};{};{}", i, i * 3, [10, 2][i % 2]));
    let d = ok(&text, "");
    assert_eq!(d.feature_names, vec!["column 1", "column 2"]);
    assert_eq!(
        d.class_names,
        vec!["2", "10"],
        "numeric labels sort numerically"
    );
    assert_eq!(d.y[0], 1);
}

#[test]
fn tab_delimiter_and_label_by_number() {
    let text = format!(
        "a\tb\tc\n{}",
        rows(10, |i| format!("{}\t{}\t{}", i % 2, i, i + 1))
    );
    let d = ok(&text, "1");
    assert_eq!(d.feature_names, vec!["b", "c"]);
    assert_eq!(d.n_classes(), 2);
}

#[test]
fn ragged_row_names_its_line() {
    let mut text = format!("a,b,y\n{}", rows(10, |i| format!("{i},{i},{}", i % 2)));
    text.push_str("\n1,2");
    let msg = fails(&text, "y");
    assert!(msg.contains("line 12 has 2 fields, expected 3"), "{msg}");
}

#[test]
fn empty_cell_names_line_and_column() {
    let text = format!(
        "a,b,y\n{}\n1,,0",
        rows(10, |i| format!("{i},{i},{}", i % 2))
    );
    let msg = fails(&text, "y");
    assert!(msg.contains("line 12, column \"b\" is empty"), "{msg}");
}

#[test]
fn non_numeric_feature_names_value() {
    let text = format!(
        "a,b,y\n{}\n1,abc,0",
        rows(10, |i| format!("{i},{i},{}", i % 2))
    );
    let msg = fails(&text, "y");
    assert!(
        msg.contains("line 12, column \"b\": \"abc\" is not a number"),
        "{msg}"
    );
}

#[test]
fn one_class_only() {
    let text = format!("a,y\n{}", rows(12, |i| format!("{i},cat")));
    let msg = fails(&text, "y");
    assert!(msg.contains("only one class (\"cat\")"), "{msg}");
}

#[test]
fn too_few_rows() {
    let text = format!("a,y\n{}", rows(4, |i| format!("{i},{}", i % 2)));
    let msg = fails(&text, "y");
    assert!(
        msg.contains("too few rows: 4 data rows, at least 10"),
        "{msg}"
    );
}

#[test]
fn over_the_size_cap() {
    // 2 000 001 cells > the cap of 2 000 000 (rows × columns).
    let width = 1000;
    let line = vec!["1"; width].join(",");
    let text = format!("{}\n", vec![line; 2001].join("\n"));
    let msg = fails(&text, "");
    assert!(
        msg.contains("2001 rows × 1000 columns = 2001000 cells; Lethe takes at most 2000000"),
        "{msg}"
    );
}

#[test]
fn unknown_label_column_lists_the_header() {
    let text = format!("a,b,y\n{}", rows(10, |i| format!("{i},{i},{}", i % 2)));
    let msg = fails(&text, "species");
    assert!(
        msg.contains("label column \"species\" is not in the header (a, b, y)"),
        "{msg}"
    );
}

/* Reported from the page: 80 rows labelled `0`, `1` and `1.0` came out as 41 classes. Labels equal as numbers are one
class, listed once, named by the first spelling in the file. */
#[test]
fn labels_equal_as_numbers_are_one_class() {
    let text = format!(
        "u,v,label\n{}",
        rows(80, |i| format!(
            "{i},{},{}",
            i % 3,
            ["0", "1", "1.0"][i % 3]
        ))
    );
    let d = ok(&text, "label");
    assert_eq!(d.class_names, vec!["0", "1"]);
    assert_eq!(d.class_counts(), vec![27, 53]);
    assert_eq!(d.y[2], 1, "1.0 is class 1");
}

/* A continuous label column is refused as soon as it passes the class cap, with the column named. */
#[test]
fn a_continuous_label_column_is_refused() {
    let text = format!("u,score\n{}", rows(200, |i| format!("{i},{}.25", i)));
    let m = fails(&text, "score");
    assert!(
        m.contains("the label column \"score\" has more than"),
        "{m}"
    );
}

/* A split column: its cells make the split, and it is not a feature. */
fn with_split(n: usize) -> String {
    format!(
        "a,split,b,y\n{}",
        rows(n, |i| format!(
            "{i},{},{},{}",
            if i % 4 == 0 { "test" } else { "Train" },
            i * 2,
            i % 2
        ))
    )
}

#[test]
fn a_split_column_gives_the_split_and_is_not_a_feature() {
    let (d, split) =
        lethe_engine::data::parse_csv_split(&with_split(12), "test.csv", "y", "split").unwrap();
    assert_eq!(d.feature_names, vec!["a", "b"]);
    assert_eq!(&d.x[..4], &[0.0, 0.0, 1.0, 2.0]);
    let expected: Vec<bool> = (0..12).map(|i| i % 4 == 0).collect();
    assert_eq!(split, Some(expected));
    let plain = with_split(12)
        .replace(",test,", ",0,")
        .replace(",Train,", ",1,");
    let (d, none) = lethe_engine::data::parse_csv_split(&plain, "test.csv", "y", "").unwrap();
    assert_eq!(
        (d.n_features(), none),
        (3, None),
        "without a split column, a column like any other"
    );
}

#[test]
fn an_experiment_with_a_split_column_trains_on_its_train_rows() {
    let mut e = lethe_protocol::Experiment::demo();
    e.data.source = lethe_protocol::DataSource::Csv;
    e.data.csv = Some(lethe_protocol::experiment::CsvSpec {
        file: "split.csv".into(),
        label_column: "y".into(),
        split_column: "2".into(),
    });
    let e = e.validate().unwrap();
    let data = lethe_engine::prepare_data(&e, Some(&with_split(40))).unwrap();
    assert_eq!(data.test.len(), 10, "rows 0, 4, …, 36");
    assert_eq!(data.train.len(), 30);
    assert_eq!(
        data.is_test,
        (0..40).map(|i| i % 4 == 0).collect::<Vec<_>>()
    );
}

#[test]
fn split_column_refusals_name_the_line_the_column_and_the_value() {
    let split = |text: &str, label: &str, column: &str| {
        lethe_engine::data::parse_csv_split(text, "test.csv", label, column)
            .expect_err("should be rejected")
            .to_string()
    };
    let bad = with_split(12).replace("test,16", "validation,16");
    assert!(
        split(&bad, "y", "split").contains(
            "line 10, column \"split\" (the split column): \"validation\" must be train or test"
        ),
        "{}",
        split(&bad, "y", "split")
    );
    assert!(
        split(&with_split(12), "y", "y")
            .contains("the split column \"y\" is also the label column")
    );
    assert!(
        split(&with_split(12), "y", "fold")
            .contains("split column \"fold\" is not in the header (a, split, b, y)")
    );
    assert!(
        split(&with_split(12), "y", "9")
            .contains("split column 9 does not exist: the file has 4 columns")
    );
}
