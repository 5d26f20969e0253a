"""skywarden.air"""
