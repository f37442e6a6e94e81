-- explain_orders(tx, ord): the FlexCharge orders `flexrecon explain` is
-- asked about: by its FlexCharge order id, by the merchant order id it
-- carries (externalOrderId) or by the attempt it names (transactionId),
-- whether or not the ledger has a row of them. Through the ledger alone
-- (003's explain_target), an orphan order, which no ledger row has, could
-- be found only by its FlexCharge id, not by the ids the Exceptions sheet
-- shows for it.
CREATE MACRO explain_orders(tx, ord) AS TABLE
    SELECT o.* FROM fc_orders o
    WHERE (ord <> '' AND (o.id = ord OR o.external_order_id = ord))
       OR (tx <> '' AND o.transaction_id = tx);

-- explain_target(tx, ord): the ledger rows explained, as in 003: of the
-- transaction, or of the merchant order (its ledger order id, or the
-- FlexCharge order id whose externalOrderId it is); and, for a transaction
-- no ledger row has, the rows of the merchant order of the FlexCharge order
-- naming it: the declines that might have claimed that order.
CREATE OR REPLACE MACRO explain_target(tx, ord) AS TABLE
    SELECT l.* FROM ledger_tx l
    WHERE (tx <> '' AND l.transaction_id = tx)
       OR (ord <> '' AND l.order_id = ord)
       OR EXISTS (
            SELECT 1 FROM explain_orders(tx, ord) o
            JOIN merchant_mids mm ON mm.mid = o.mid AND mm.environment = o.environment
            WHERE mm.merchant_id = l.partner_merchant_id AND o.external_order_id = l.order_id
              AND (o.id = ord OR NOT EXISTS (SELECT 1 FROM ledger_tx x WHERE x.transaction_id = tx)));

-- explain_findings(tx, ord, run): the findings of run on the explained rows,
-- on the orders asked about, and the orphans of the explained rows'
-- merchant orders (the orders listed beside a lost rescue that are no
-- decline's). A macro: explain lists them and says why each orphan is one.
CREATE MACRO explain_findings(tx, ord, run) AS TABLE
    SELECT f.* FROM findings f
    WHERE f.run_id = run AND (f.fc_order_id = ord
        OR f.fc_order_id IN (SELECT id FROM explain_orders(tx, ord))
        OR EXISTS (SELECT 1 FROM explain_target(tx, ord) t WHERE t.partner_merchant_id = f.partner_merchant_id
            AND (t.transaction_id = f.transaction_id
                 OR (f.transaction_id IS NULL OR f.category = 'orphan_order') AND t.order_id = f.order_id)));
