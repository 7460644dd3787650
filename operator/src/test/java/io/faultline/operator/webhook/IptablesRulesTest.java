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
    void outboundRedirectsTheAppsConnectionsToAMappedPortButNotTheSidecarsOwnNorLoopback() {
        List<OutboundListener> listeners = List.of(new OutboundListener("payments", "15001=http://payments:80", 15001, "P"),
                new OutboundListener("db", "15002=db:5432", 15002, "D", 5432));

        assertThat(IptablesRules.outbound(listeners, 1337)).containsExactly(
                List.of("iptables", "-t", "nat", "-N", "FAULTLINE_OUTBOUND"),
                List.of("iptables", "-t", "nat", "-A", "FAULTLINE_OUTBOUND", "-m", "owner", "--uid-owner", "1337", "-j", "RETURN"),
                List.of("iptables", "-t", "nat", "-A", "FAULTLINE_OUTBOUND", "-d", "127.0.0.0/8", "-j", "RETURN"),
                List.of("iptables", "-t", "nat", "-A", "FAULTLINE_OUTBOUND", "-p", "tcp", "--dport", "5432", "-j", "REDIRECT",
                        "--to-ports", "15002"),
                List.of("iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-j", "FAULTLINE_OUTBOUND"));
        assertThat(IptablesRules.outbound(listeners.subList(0, 1), 1337)).as("no listener redirected: OUTPUT untouched").isEmpty();
        assertThat(IptablesRules.all(List.of(port(8080, 18080)), listeners, 1337)).hasSize(3 + 5);
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
