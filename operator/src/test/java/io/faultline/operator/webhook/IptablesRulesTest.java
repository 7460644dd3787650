package io.faultline.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class IptablesRulesTest {
    private static InboundPort port(int port, int listenPort) {
        return new InboundPort("p" + port, "app", null, port, listenPort, null);
    }

    @Test
    void redirectsEachPortToItsListenerAndHooksPreroutingLast() {
        List<List<String>> commands = IptablesRules.inbound(List.of(port(8080, 18080), port(9000, 19000)));

        assertThat(commands).containsExactly(
                List.of("iptables", "-t", "nat", "-N", "FAULTLINE_INBOUND"),
                List.of("iptables", "-t", "nat", "-A", "FAULTLINE_INBOUND", "-p", "tcp", "--dport", "8080", "-j", "REDIRECT",
                        "--to-ports", "18080"),
                List.of("iptables", "-t", "nat", "-A", "FAULTLINE_INBOUND", "-p", "tcp", "--dport", "9000", "-j", "REDIRECT",
                        "--to-ports", "19000"),
                List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", "FAULTLINE_INBOUND"));
    }

    @Test
    void neverTouchesTheOutputChainSoTheSidecarReachesTheAppWithoutBeingRedirected() {
        List<List<String>> commands = IptablesRules.inbound(List.of(port(8080, 18080)));

        assertThat(commands).noneMatch(command -> command.contains("OUTPUT"));
    }

    @Test
    void nothingToRedirectMeansNoCommands() {
        assertThat(IptablesRules.inbound(List.of())).isEmpty();
    }

    @Test
    void theScriptStopsAtTheFirstFailure() {
        String script = IptablesRules.script(IptablesRules.inbound(List.of(port(8080, 18080))));

        assertThat(script).startsWith("set -e\n").contains("\niptables -t nat -A PREROUTING -p tcp -j FAULTLINE_INBOUND");
    }

    @Test
    void refusesAnArgumentThatWouldNeedQuoting() {
        assertThatThrownBy(() -> IptablesRules.script(List.of(List.of("iptables", "a b"))))
                .hasMessageContaining("'a b' would need shell quoting");
    }
}
