import Testing

@testable import Models
@testable import PostgresClient

/// `ListSort`: the `sort` values a list takes and the fixed SQL each one orders by.
@Suite struct ListSortTests {
    @Test func valuesAreEachFieldAscendingThenDescending() {
        #expect(DatasetSort.allCases.map(\.rawValue) == ["name", "-name", "created_at", "-created_at", "row_count", "-row_count"])
        #expect(
            StrategySort.allCases.map(\.rawValue) == [
                "name", "-name", "created_at", "-created_at", "updated_at", "-updated_at", "last_run_at", "-last_run_at",
            ])
        for sort in StrategySort.allCases { #expect(StrategySort(rawValue: sort.rawValue) == sort) }
    }

    @Test func unknownValuesAreRefused() {
        for text in ["", "-", "--name", "Name", "name ", "-row_count", "id", "lower(name)"] {
            #expect(StrategySort(rawValue: text) == nil, "\(text)")
        }
        #expect(DatasetSort(rawValue: "-row_count") == ListSort(.rowCount, descending: true))
    }

    @Test func fragmentsBreakTiesByIdInTheSameDirection() {
        #expect(DatasetSort(.name).fragment.text == "lower(name), id")
        #expect(DatasetSort(.name, descending: true).fragment.text == "lower(name) DESC, id DESC")
        #expect(DatasetSort(.rowCount, descending: true).fragment.text == "row_count DESC, id DESC")
        #expect(StrategySort(.updatedAt).fragment.text == "updated_at, id")
        #expect(StrategySort(.lastRunAt).fragment.text == "last_run_at NULLS LAST, id")
        #expect(StrategySort(.lastRunAt, descending: true).fragment.text == "last_run_at DESC NULLS LAST, id DESC")
    }
}
