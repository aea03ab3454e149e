"""The roster page (人员花名册) and the staff dialog with its panels: assignments,
certificates, training history, the staffing and expiring-certificate dialogs."""
