// The metrics collector: label escaping, cumulative histograms, device slots that follow events.
#include "metrics/collector.hpp"
#include "store/sqlite_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

using namespace gatewatch;

TEST(Metrics, LabelValuesAreEscaped) {
    EXPECT_EQ(metrics::escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, HistogramsAreCumulativeAndDevicesFollowEvents) {
    TempDir dir;
    store::SqliteStore store(dir.path / "t.db");
    metrics::Collector c(store, "1.2.3");
    c.load();
    c.observe_request("/rooms", 200, 0.003);
    c.observe_request("/rooms", 200, 2.0);
    const auto text = c.render();
    EXPECT_NE(text.find("gatewatch_http_request_duration_seconds_bucket{route=\"/rooms\",le=\"0.0025\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("gatewatch_http_request_duration_seconds_bucket{route=\"/rooms\",le=\"0.005\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("gatewatch_http_request_duration_seconds_bucket{route=\"/rooms\",le=\"+Inf\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("gatewatch_http_requests_total{route=\"/rooms\",code=\"200\"} 2\n"), std::string::npos);
    EXPECT_NE(text.find("gatewatch_build_info{version=\"1.2.3\"} 1\n"), std::string::npos);

    store::Device d;
    d.id = 7;
    d.name = "gw";
    d.ip = "127.0.0.7";
    c.apply(events::DeviceAdded{d});
    EXPECT_EQ(c.render().find("gatewatch_device_up{"), std::string::npos);  // unknown: absent
    c.apply(events::RoundFinished{7, d.ip, true, monitor::Status::connected, 2.5, 0.0, std::nullopt, {}, std::nullopt});
    const auto up = c.render();
    EXPECT_NE(up.find("gatewatch_device_up{device_id=\"7\",name=\"gw\",ip=\"127.0.0.7\",room=\"\"} 1\n"),
              std::string::npos);
    EXPECT_NE(up.find("gatewatch_device_rtt_seconds{device_id=\"7\",name=\"gw\",ip=\"127.0.0.7\",room=\"\"} 0.0025"),
              std::string::npos);
    d.monitored = false;
    c.apply(events::DeviceUpdated{d});
    EXPECT_EQ(c.render().find("device_id=\"7\""), std::string::npos);
}
