"""skywarden.hazard"""
