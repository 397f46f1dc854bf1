package com.customerhealth.report;

import com.customerhealth.calibrate.CalibrationReport;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;

/**
 * report.json: the {@link CalibrationReport} record as it is, field names as in the record, nulls
 * kept, dates as ISO strings ({@code "2026-09-30"}), pretty-printed with {@code \n} line ends on every
 * platform. The HTML's {@code data-key} attributes are JSON pointers into this document.
 */
final class ReportJson {
    private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    private static final ObjectReader READER = MAPPER.readerFor(CalibrationReport.class);
    private static final ObjectWriter WRITER = MAPPER
            .writer(new DefaultPrettyPrinter()
                    .withObjectIndenter(INDENT)
                    .withArrayIndenter(INDENT)
                    .withSeparators(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private ReportJson() {
    }

    /** The report as UTF-8 JSON, ending with a line break. */
    static byte[] write(CalibrationReport report) {
        try {
            return (WRITER.writeValueAsString(report) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the calibration report as JSON", e);
        }
    }

    /** The report back from what {@link #write} wrote. */
    static CalibrationReport read(String json) {
        try {
            return READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read a calibration report from JSON: " + e.getOriginalMessage(), e);
        }
    }
}
