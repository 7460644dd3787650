package io.faultline.helm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.marcnuri.helm.LintResult;

class ChartLintTest {

    @Test
    void strictLintIsClean() {
        LintResult result = Chart.helm().lint().strict().call();

        // --strict turns warnings into failures; INFO lines (e.g. "icon is recommended") are advice only.
        assertThat(result.getMessages()).as("helm lint --strict warnings and errors")
                .filteredOn(message -> !message.startsWith("[INFO]")).isEmpty();
        assertThat(result.isFailed()).isFalse();
    }
}
