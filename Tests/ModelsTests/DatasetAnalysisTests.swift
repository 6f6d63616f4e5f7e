import Testing

@testable import Models

struct DatasetAnalysisTests {
    static func day(_ days: Int64) -> Int64 { days * 86_400 }

    /// 2024-01-05 is a Friday (day 19727 since 1970-01-01).
    @Test func businessDaysBetweenSkipWeekends() {
        let friday: Int64 = 19_727
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(friday), Self.day(friday + 3)) == 0)  // Fri → Mon
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(friday), Self.day(friday + 4)) == 1)  // Fri → Tue: Mon missing
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(friday + 3), Self.day(friday + 5)) == 1)  // Mon → Wed
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(friday - 7), Self.day(friday)) == 4)  // Fri → Fri: Mon–Thu
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(friday) + 57_600, Self.day(friday + 1)) == 0)  // same day to Sat
        // Before 1970 too (floor division).
        #expect(DatasetAnalysis.businessDaysBetween(Self.day(-10), Self.day(-3)) == 4)
    }

    @Test func intervalNames() {
        #expect(DatasetSummary.intervalName(60) == "1min")
        #expect(DatasetSummary.intervalName(300) == "5min")
        #expect(DatasetSummary.intervalName(3600) == "1h")
        #expect(DatasetSummary.intervalName(86_400) == "1d")
        #expect(DatasetSummary.intervalName(604_800) == "1w")
        #expect(DatasetSummary.intervalName(90) == "90s")
    }
}
