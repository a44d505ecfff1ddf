"""The signed ``/snow help`` ack path against a bare Bolt app on the same stack."""
