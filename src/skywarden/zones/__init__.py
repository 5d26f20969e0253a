"""skywarden.zones"""
