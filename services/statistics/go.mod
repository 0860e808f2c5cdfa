module github.com/vif71/vif/services/statistics

go 1.26.0

require pgregory.net/rapid v1.3.0
